package dev.ringloom.benchmarks;

import dev.ringloom.io.RingServerSocketFactory;
import dev.ringloom.io.RingSocketFactory;
import dev.ringloom.io.RingloomSocket;
import dev.ringloom.runtime.Ringloom;

import javax.net.ServerSocketFactory;
import javax.net.SocketFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;

/**
 * Small request/response round trips through plain {@code java.net} code — {@code Socket}, its streams,
 * {@code readNBytes} — on ringloom's drop-in ({@link RingSocketFactory}, {@link RingServerSocketFactory}) against
 * the JDK's own sockets, same JVM, alternating: each of {@code conns} client virtual threads sends a
 * {@code size}-byte request and waits for the {@code size}-byte reply, {@code rounds} times, to a server with one
 * virtual thread per connection. Both ends are of the implementation measured, as when a program swaps its
 * factories; ringloom runs twice, with the threads on the JDK's scheduler (the drop-in unchanged) and started from
 * {@link RingloomSocket#threadBuilder()} (on the connection's poller). Prints round trips/s and the ratios.
 *
 * <pre>
 * mvn -q -DskipTests package exec:exec -pl benchmarks -am -Dbench="RoundTripBenchmark [passes] [conns,...] [size,...] [only]"
 * </pre>
 */
public final class RoundTripBenchmark {
    private static final int ROUND_TRIPS = 200_000;

    private RoundTripBenchmark() {
    }

    /** One implementation; {@code onPollers}: each connection's threads from {@link RingloomSocket#threadBuilder}. */
    record Net(String name, SocketFactory sockets, ServerSocketFactory servers, boolean onPollers) {
        Thread.Builder builder(Socket s) throws SocketException {
            return onPollers ? ((RingloomSocket) s).threadBuilder() : Thread.ofVirtual();
        }
    }

    public static void main(String[] args) throws Exception {
        int passes = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        int[] conns = ints(args.length > 1 ? args[1] : "1,16");
        int[] sizes = ints(args.length > 2 ? args[2] : "64,1024");
        // One implementation alone (jdk, ringloom or pollers), for a profiler or perf stat on just it.
        String only = args.length > 3 ? args[3] : null;
        System.out.printf("JDK %s, %d cores, kernel %s; %,d round trips per run%n", Runtime.version(),
                Runtime.getRuntime().availableProcessors(), System.getProperty("os.version"), ROUND_TRIPS);
        try (Ringloom ring = Ringloom.open()) {
            Net jdk = new Net("jdk", SocketFactory.getDefault(), ServerSocketFactory.getDefault(), false);
            Net ours = new Net("ringloom", RingSocketFactory.of(ring), RingServerSocketFactory.of(ring), false);
            Net pollers = new Net("ringloom", RingSocketFactory.of(ring), RingServerSocketFactory.of(ring), true);
            System.out.println("ringloom backend: " + ring.backendName() + "; threads on the pollers: "
                    + ring.schedulesOnPollers());
            if (only != null) {
                Net net = only.equals("jdk") ? jdk : only.equals("pollers") ? pollers : ours;
                for (int c : conns) {
                    for (int size : sizes) {
                        run(net, c, size);
                        for (int pass = 1; pass <= passes; pass++) {
                            System.out.printf(Locale.ROOT, "%s %3d conns %5d B pass %d: %,9.0f rt/s%n", only, c, size,
                                    pass, run(net, c, size));
                        }
                    }
                }
                return;
            }
            for (int c : conns) {
                for (int size : sizes) {
                    run(jdk, c, size);              // warm-up, all, unmeasured
                    run(ours, c, size);
                    run(pollers, c, size);
                    for (int pass = 1; pass <= passes; pass++) {
                        double j = run(jdk, c, size), r = run(ours, c, size), p = run(pollers, c, size);
                        System.out.printf(Locale.ROOT, "%3d conns %5d B pass %d: JDK %,9.0f rt/s; ringloom %,9.0f"
                                        + " rt/s: %.2fx; threadBuilder() %,9.0f rt/s: %.2fx%n",
                                c, size, pass, j, r, r / j, p, p / j);
                    }
                }
            }
        }
    }

    private static int[] ints(String csv) {
        String[] f = csv.split(",");
        int[] v = new int[f.length];
        for (int i = 0; i < f.length; i++) {
            v[i] = Integer.parseInt(f[i].strip());
        }
        return v;
    }

    /** Round trips per second of {@code conns} connections of {@code net}, {@code size} bytes each way. */
    private static double run(Net net, int conns, int size) throws Exception {
        int perConn = ROUND_TRIPS / conns;
        try (ServerSocket server = net.servers().createServerSocket(0, conns, InetAddress.getLoopbackAddress())) {
            Thread acceptor = Thread.ofVirtual().start(() -> serve(net, server, size));
            List<Socket> clients = new ArrayList<>();
            for (int i = 0; i < conns; i++) {
                Socket s = net.sockets().createSocket(InetAddress.getLoopbackAddress(), server.getLocalPort());
                s.setTcpNoDelay(true);
                clients.add(s);
            }
            CountDownLatch done = new CountDownLatch(conns);
            long start = System.nanoTime();
            for (Socket s : clients) {
                net.builder(s).start(() -> {
                    try (s) {
                        byte[] request = new byte[size];
                        InputStream in = s.getInputStream();
                        OutputStream out = s.getOutputStream();
                        for (int i = 0; i < perConn; i++) {
                            request[0] = (byte) i;
                            out.write(request);
                            byte[] reply = in.readNBytes(size);
                            if (reply.length != size || reply[0] != (byte) i) {
                                throw new IllegalStateException("a reply was lost or out of order");
                            }
                        }
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    } finally {
                        done.countDown();
                    }
                });
            }
            done.await();
            double perSec = (double) perConn * conns * 1e9 / (System.nanoTime() - start);
            server.close();
            acceptor.join();
            return perSec;
        }
    }

    /** Accepts until closed; each connection echoes fixed-size messages back on a virtual thread of its own. */
    private static void serve(Net net, ServerSocket server, int size) {
        try {
            while (true) {
                Socket s = server.accept();
                s.setTcpNoDelay(true);
                net.builder(s).start(() -> {
                    try (s) {
                        InputStream in = s.getInputStream();
                        OutputStream out = s.getOutputStream();
                        byte[] buf = new byte[size];
                        while (in.readNBytes(buf, 0, size) == size) {
                            out.write(buf);
                        }
                    } catch (IOException e) {
                        // the client went away
                    }
                });
            }
        } catch (SocketException closed) {
            // the run is over
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
