package dev.ringloom.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code EchoClient HOST PORT CONNECTIONS SIZE SECONDS}: a load generator. Each connection
 * sends M bytes, reads the M echoed bytes back, checks every one, and repeats. Prints round trips per second
 * and p50/p99 latency; exits 1 on any mismatch or failed connection.
 *
 * <p>It runs on the JDK's own {@code java.net} sockets (virtual threads), so that it is never the code under
 * test when it measures a ringloom server.
 */
public final class EchoClient {
    private EchoClient() {
    }

    /** One load run: round trips per second, latency percentiles, and what went wrong. */
    public record Result(double roundTripsPerSec, double p50Micros, double p99Micros, long mismatches, long failures) {
        /** The one line every load generator prints. */
        public String summary() {
            return String.format("%,.0f round trips/s, p50 %.0f us, p99 %.0f us, %d mismatches, %d failed connections",
                    roundTripsPerSec, p50Micros, p99Micros, mismatches, failures);
        }

        /** The exit status of a load run: 0 only if every byte came back right on every connection. */
        public int status() {
            return mismatches == 0 && failures == 0 ? 0 : 1;
        }
    }

    /**
     * Told, on the thread that called {@code load}, when the measured window opens (after the ramp-up) and when
     * it closes, so a caller can sample what it measures (CPU time, say) over exactly the counted round trips.
     */
    public interface Window {
        Window NONE = new Window() {
        };

        /** How long connections run before the measured window opens, so connection setup is never counted. */
        long RAMP_UP_NANOS = TimeUnit.SECONDS.toNanos(1);

        default void opened() {
        }

        default void closed() {
        }

        /**
         * Sleeps until {@code windowStart} ({@link System#nanoTime()}), tells {@link #opened}; sleeps until
         * {@code windowEnd}, tells {@link #closed}.
         */
        static void await(long windowStart, long windowEnd, Window window) throws InterruptedException {
            TimeUnit.NANOSECONDS.sleep(windowStart - System.nanoTime());
            window.opened();
            TimeUnit.NANOSECONDS.sleep(windowEnd - System.nanoTime());
            window.closed();
        }
    }

    /** {@code EchoClient HOST PORT CONNECTIONS SIZE SECONDS}: one run, one line; bad input is one line and exit 2. */
    public static void main(String[] args) throws InterruptedException {
        if (args.length != 5) {
            System.err.println("usage: EchoClient HOST PORT CONNECTIONS SIZE SECONDS (e.g. 127.0.0.1 7007 64 64 5)");
            System.exit(2);
        }
        int[] n = new int[4];
        String[] names = {"PORT", "CONNECTIONS", "SIZE", "SECONDS"};
        for (int i = 0; i < 4; i++) {
            try {
                n[i] = Integer.parseInt(args[i + 1]);
            } catch (NumberFormatException e) {
                n[i] = -1;
            }
            if (n[i] < 1 || (i == 0 && n[i] > 65535)) {
                System.err.println("EchoClient: " + names[i] + " must be a positive number (a port up to 65535), not '"
                        + args[i + 1] + "'");
                System.exit(2);
            }
        }
        InetSocketAddress target = new InetSocketAddress(args[0], n[0]);
        if (target.isUnresolved()) {
            System.err.println("EchoClient: unknown host " + args[0]);
            System.exit(1);
        }
        Result r = load(target, n[1], n[2], n[3], Window.NONE);
        System.out.println(r.summary());
        System.exit(r.status());
    }

    /**
     * Runs {@code connections} ping-pong connections of {@code size}-byte messages against {@code target} for
     * {@code seconds} (after a one-second ramp-up) and checks every echoed byte; {@code observer} is told when the
     * measured window opens and closes.
     */
    public static Result load(InetSocketAddress target, int connections, int size, int seconds, Window observer)
            throws InterruptedException {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong mismatches = new AtomicLong(), failures = new AtomicLong();
        List<LatencyHistogram> histograms = new ArrayList<>();
        CountDownLatch connected = new CountDownLatch(connections);
        List<Thread> threads = new ArrayList<>();
        long[] window = new long[2];
        for (int c = 0; c < connections; c++) {
            LatencyHistogram h = new LatencyHistogram();
            histograms.add(h);
            int id = c;
            threads.add(Thread.ofVirtual().start(() -> {
                byte[] out = new byte[size], in = new byte[size];
                try (Socket s = new Socket()) {
                    s.setTcpNoDelay(true);
                    s.connect(target, 10_000);
                    connected.countDown();
                    connected.await();
                    InputStream is = s.getInputStream();
                    OutputStream os = s.getOutputStream();
                    for (long round = 0; !stop.get(); round++) {
                        fill(out, id, round);
                        long t0 = System.nanoTime();
                        os.write(out);
                        int got = 0;
                        while (got < size) {
                            int n = is.read(in, got, size - got);
                            if (n < 0) {
                                throw new IOException("server closed the connection");
                            }
                            got += n;
                        }
                        long t1 = System.nanoTime();
                        if (t0 >= window[0] && t1 <= window[1]) {
                            h.record(t1 - t0);
                        }
                        if (!java.util.Arrays.equals(out, in)) {
                            mismatches.incrementAndGet();
                        }
                    }
                } catch (IOException | InterruptedException e) {
                    failures.incrementAndGet();
                    connected.countDown();
                }
            }));
        }
        connected.await();
        // measure a window after a short ramp-up; round trips outside it are not counted
        long start = System.nanoTime() + Window.RAMP_UP_NANOS;
        window[0] = start;
        window[1] = start + seconds * 1_000_000_000L;
        Window.await(start, window[1], observer);
        stop.set(true);
        for (Thread t : threads) {
            t.join();
        }
        LatencyHistogram all = new LatencyHistogram();
        histograms.forEach(all::add);
        return new Result(all.count() / (double) seconds, all.percentileMicros(0.50), all.percentileMicros(0.99),
                mismatches.get(), failures.get());
    }

    /** A pattern unique to (connection, round), so a byte echoed to the wrong place is caught. */
    public static void fill(byte[] b, int connection, long round) {
        long x = connection * 0x9E3779B97F4A7C15L + round * 0xBF58476D1CE4E5B9L;
        for (int i = 0; i < b.length; i++) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            b[i] = (byte) x;
        }
    }
}
