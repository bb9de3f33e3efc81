package dev.ringloom.samples;

import dev.ringloom.poller.PollerConfig;
import dev.ringloom.poller.spi.IoStats;
import dev.ringloom.runtime.RingReader;
import dev.ringloom.runtime.RingServerSocket;
import dev.ringloom.runtime.RingSocket;
import dev.ringloom.runtime.Ringloom;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;

/**
 * {@code echo-server --port P [--bind ADDR] [--io ringloom|jdk] [--threads pollers|jdk]}: one virtual thread per
 * connection writing back what it reads, in plain blocking code. On ringloom each connection's thread is scheduled
 * on the poller that serves its socket ({@link Ringloom#ofVirtual(RingSocket)}), one poller per core;
 * {@code --threads jdk} starts them with {@code Thread.ofVirtual()} instead. {@code --io jdk} runs the same loop on
 * {@code java.net} sockets, the baseline the benchmarks compare against.
 */
final class EchoServer {
    private EchoServer() {
    }

    static int run(String[] args) throws Exception {
        Args a = new Args(args, "--port", "--bind", "--io", "--threads", "--stats", "--reads");
        int port = a.port("--port", 7007);
        String io = a.choice("--io", "ringloom", "ringloom", "jdk");
        boolean onPollers = a.choice("--threads", "pollers", "pollers", "jdk").equals("pollers");
        boolean stats = a.choice("--stats", "false", "true", "false").equals("true");
        boolean copy = a.choice("--reads", "reader", "reader", "copy").equals("copy");
        InetAddress bind = InetAddress.getByName(a.value("--bind", "0.0.0.0"));
        InetSocketAddress local = new InetSocketAddress(bind, port);
        try {
            if (io.equals("ringloom")) {
                ringloom(local, stats, onPollers, copy);
            } else {
                jdk(local);
            }
        } catch (java.net.BindException e) {
            throw new java.net.BindException("cannot listen on " + local + ": " + e.getMessage());
        }
        return 0;
    }

    private static void ringloom(InetSocketAddress local, boolean stats, boolean onPollers, boolean copy)
            throws IOException {
        // One poller per core: each connection's thread runs on the poller that serves its socket, so the pollers
        // are the server's event loops.
        int pollers = Integer.getInteger("ringloom.pollers", Runtime.getRuntime().availableProcessors());
        try (Ringloom ring = Ringloom.open(PollerConfig.defaults().withPollers(pollers));
             RingServerSocket server = ring.listen(local, 4096)) {
            if (stats) {
                Thread.ofPlatform().daemon().start(() -> printStats(ring));
            }
            int loops = ring.stats().eventLoops();
            String how = loops == 0 ? ring.backendName()
                    : ring.backendName() + ", " + loops + " poller(s), connection threads on "
                    + (onPollers && ring.schedulesOnPollers() ? "the pollers" : "the JDK's scheduler");
            System.out.println("ringloom echo server on " + server.localAddress() + " (" + how + "); Ctrl-C stops it");
            while (true) {
                RingSocket s = server.accept();
                (onPollers ? ring.ofVirtual(s) : Thread.ofVirtual()).start(copy ? () -> echoCopying(s) : () -> echo(s));
            }
        }
    }

    /** Once a second: ops completed, submitter wake-ups of a sleeping poller, CQ overflows. */
    private static void printStats(Ringloom ring) {
        long lastOps = 0, lastWakeups = 0, lastSubmits = 0;
        while (true) {
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                return;
            }
            IoStats s = ring.stats();
            long ops = s.completedTotal(), wakeups = s.wakeupsTotal(), submits = s.submittedTotal();
            System.out.printf("ops/s %,d  sqes/s %,d  poller wake-ups/s %,d  overflows %d  in flight %d"
                    + "  receive buffers held %d%n", ops - lastOps, submits - lastSubmits, wakeups - lastWakeups,
                    s.overflowsTotal(), s.inFlight(), s.receiveBuffersHeld());
            lastOps = ops;
            lastWakeups = wakeups;
            lastSubmits = submits;
        }
    }

    /**
     * The bytes are echoed from the very buffer the kernel received them into: {@code fillBuf} shows them where they
     * are, {@code write} sends from there, {@code consume} gives the buffer back to the kernel. No copy, and a
     * connection waiting for data holds no buffer at all.
     */
    private static void echo(RingSocket s) {
        try (s) {
            s.setOption(StandardSocketOptions.TCP_NODELAY, true);
            RingReader in = s.reader();
            ByteBuffer received;
            while ((received = in.fillBuf()).hasRemaining()) {
                int n = received.remaining();
                s.write(received);
                in.consume(n);
            }
        } catch (IOException e) {
            // the peer went away: nothing to do but close
        }
    }

    /** {@code --reads copy}: the same echo through a 16 KiB buffer of the connection's own, for comparison. */
    private static void echoCopying(RingSocket s) {
        try (s) {
            s.setOption(StandardSocketOptions.TCP_NODELAY, true);
            ByteBuffer buf = ByteBuffer.allocateDirect(16 * 1024);
            while (s.read(buf.clear()) >= 0) {
                s.write(buf.flip());
            }
        } catch (IOException e) {
            // the peer went away
        }
    }

    private static void jdk(InetSocketAddress local) throws IOException {
        try (ServerSocket server = new ServerSocket()) {
            server.setReuseAddress(true);
            server.bind(local, 4096);
            System.out.println("JDK echo server on " + server.getLocalSocketAddress() + " (java.net on virtual threads)");
            while (true) {
                Socket s = server.accept();
                Thread.ofVirtual().start(() -> {
                    try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
                        s.setTcpNoDelay(true);
                        byte[] buf = new byte[16 * 1024];
                        int n;
                        while ((n = in.read(buf)) >= 0) {
                            out.write(buf, 0, n);
                        }
                    } catch (IOException e) {
                        // the peer went away
                    }
                });
            }
        }
    }
}
