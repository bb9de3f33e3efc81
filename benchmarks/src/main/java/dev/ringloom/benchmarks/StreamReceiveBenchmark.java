package dev.ringloom.benchmarks;

import dev.ringloom.poller.spi.IoStats;
import dev.ringloom.runtime.RingReader;
import dev.ringloom.runtime.RingSocket;
import dev.ringloom.runtime.Ringloom;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * One loopback connection received as fast as the receiver takes it: a platform thread in the same JVM writes
 * {@code MiB} mebibytes through a JDK {@code SocketChannel} in 256 KiB writes, and a virtual thread drains them.
 * Receivers: the JDK's {@code SocketChannel.read} into a 64 KiB direct buffer; {@link RingSocket#read} into the same
 * on a thread of the JDK's scheduler ({@code ringloom-read}) and on the socket's poller ({@code ringloom-read-poller});
 * both on a platform thread ({@code jdk-platform}, {@code ringloom-read-platform}: ratio against {@code jdk-platform});
 * {@link RingReader#fillBuf} / {@code consume} with no copy ({@code ringloom-reader}, on the poller). Every receiver
 * sums one long per 64 bytes of what it gets, so the zero-copy reader still touches the data, and the sums must
 * agree. Prints MiB/s of the median round, the ratio to the JDK paired by round, the process's CPU per MiB (the
 * sender's included, the same work for every receiver) and ringloom's ring completions per MiB.
 *
 * <pre>mvn -q -DskipTests package exec:exec -pl benchmarks -am -Dbench="StreamReceiveBenchmark [MiB] [rounds] [receivers]"</pre>
 */
public final class StreamReceiveBenchmark {
    private static final int WRITE = 256 << 10, READ = 64 << 10;

    private StreamReceiveBenchmark() {
    }

    record Result(long bytes, long sum, long nanos, long cpuNanos, long completions) {
        double mibPerSec() {
            return bytes / (1024.0 * 1024) / (nanos / 1e9);
        }
    }

    interface Receiver {
        /** Drains {@code s} (already connected) to its end; returns {bytes, sum}. */
        long[] drain(Connection c) throws IOException;
    }

    /** The receiving end: a JDK channel or a ringloom socket. */
    record Connection(SocketChannel jdk, RingSocket ring) {
    }

    public static void main(String[] args) throws Exception {
        long mib = args.length > 0 ? Long.parseLong(args[0]) : 2048;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        System.out.printf("JDK %s, %d cores, kernel %s; one loopback connection, %d MiB in %d KiB writes, %d rounds%n",
                Runtime.version(), Runtime.getRuntime().availableProcessors(), System.getProperty("os.version"), mib,
                WRITE >> 10, rounds);
        try (Ringloom ring = Ringloom.open()) {
            System.out.println("ringloom backend: " + ring.backendName());
            Map<String, Receiver> receivers = new LinkedHashMap<>();
            receivers.put("jdk", c -> copying(c.jdk()::read));
            receivers.put("jdk-platform", c -> copying(c.jdk()::read));
            receivers.put("ringloom-read-platform", c -> copying(c.ring()::read));
            receivers.put("ringloom-read", c -> copying(c.ring()::read));
            receivers.put("ringloom-read-poller", c -> copying(c.ring()::read));
            receivers.put("ringloom-reader", c -> reader(c.ring().reader()));
            Map<String, List<Result>> results = new LinkedHashMap<>();
            List<String> order = new ArrayList<>(args.length > 2 ? List.of(args[2].split(",")) : receivers.keySet());
            if (!order.contains("jdk")) {
                order.addFirst("jdk");
            }
            if (order.contains("ringloom-read-platform") && !order.contains("jdk-platform")) {
                order.addFirst("jdk-platform");
            }
            for (String name : order) {
                run(ring, name, receivers.get(name), Math.max(64, mib / 8));     // warm-up
            }
            for (int round = 0; round < rounds; round++) {
                for (String name : order) {
                    results.computeIfAbsent(name, k -> new ArrayList<>()).add(run(ring, name, receivers.get(name), mib));
                }
                java.util.Collections.reverse(order);
            }
            long sum = results.get("jdk").getFirst().sum();
            System.out.printf("%-22s %10s %18s %12s %14s  %s%n", "receiver", "MiB/s", "vs JDK", "cpu us/MiB", "cqes/MiB",
                    "MiB/s by round");
            for (var e : results.entrySet().stream().sorted(Map.Entry.comparingByKey()).toList()) {
                for (Result r : e.getValue()) {
                    if (r.sum() != sum) {
                        throw new IllegalStateException(e.getKey() + " received other bytes: sum " + r.sum());
                    }
                }
                double[] rate = e.getValue().stream().mapToDouble(Result::mibPerSec).toArray();
                String base = e.getKey().endsWith("-platform") ? "jdk-platform" : "jdk";
                double[] jdk = results.get(base).stream().mapToDouble(Result::mibPerSec).toArray();
                Result m = e.getValue().get(EchoBenchmark.medianRound(rate));
                double mibs = m.bytes() / (1024.0 * 1024);
                System.out.printf("%-22s %,10.0f %18s %12.1f %14.1f  %s%n", e.getKey(), m.mibPerSec(),
                        EchoBenchmark.pairedRatio(rate, jdk), m.cpuNanos() / 1e3 / mibs, m.completions() / mibs,
                        java.util.Arrays.stream(rate).mapToObj(x -> String.format("%.0f", x)).toList());
            }
        }
    }

    private static Result run(Ringloom ring, String name, Receiver receiver, long mib) throws Exception {
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            InetSocketAddress at = (InetSocketAddress) server.getLocalAddress();
            Thread sender = Thread.ofPlatform().start(() -> send(server, mib << 20));
            IoStats before = ring.stats();
            long completions0 = before.completedTotal();
            long[] cpu0 = EchoBenchmark.cpuTicks(ProcessHandle.current().pid());
            long t0 = System.nanoTime();
            long[] got;
            if (name.startsWith("jdk")) {
                try (SocketChannel c = SocketChannel.open(at)) {
                    got = onThread(name.endsWith("-platform") ? Thread.ofPlatform() : Thread.ofVirtual(), receiver,
                            new Connection(c, null));
                }
            } else {
                try (RingSocket s = ring.connect(at)) {
                    Thread.Builder on = switch (name) {
                        case "ringloom-read" -> Thread.ofVirtual();
                        case "ringloom-read-platform" -> Thread.ofPlatform();
                        default -> ring.ofVirtual(s);
                    };
                    got = onThread(on, receiver, new Connection(null, s));
                }
            }
            long nanos = System.nanoTime() - t0;
            long[] cpu1 = EchoBenchmark.cpuTicks(ProcessHandle.current().pid());
            long cpu = (cpu1[0] + cpu1[1] - cpu0[0] - cpu0[1]) * 10_000_000L;   // USER_HZ: 100 ticks a second
            sender.join();
            return new Result(got[0], got[1], nanos, cpu, ring.stats().completedTotal() - completions0);
        }
    }

    private static long[] onThread(Thread.Builder builder, Receiver receiver, Connection c) throws Exception {
        long[][] out = new long[1][];
        Exception[] failed = new Exception[1];
        builder.start(() -> {
            try {
                out[0] = receiver.drain(c);
            } catch (Exception e) {
                failed[0] = e;
            }
        }).join();
        if (failed[0] != null) {
            throw failed[0];
        }
        return out[0];
    }

    private static void send(ServerSocketChannel server, long bytes) {
        byte[] data = new byte[WRITE];
        new SplittableRandom(7).nextBytes(data);
        ByteBuffer buf = ByteBuffer.allocateDirect(WRITE).put(data);
        try (SocketChannel s = server.accept()) {
            for (long left = bytes; left > 0; ) {
                buf.clear().limit((int) Math.min(WRITE, left));
                while (buf.hasRemaining()) {
                    left -= s.write(buf);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    interface Read {
        int read(ByteBuffer dst) throws IOException;
    }

    private static long[] copying(Read in) throws IOException {
        ByteBuffer buf = ByteBuffer.allocateDirect(READ);
        long bytes = 0, sum = 0;
        int n;
        while ((n = in.read(buf.clear())) >= 0) {
            bytes += n;
            sum += sum(buf.flip(), bytes - n);
        }
        return new long[] {bytes, sum};
    }

    private static long[] reader(RingReader in) throws IOException {
        long bytes = 0, sum = 0;
        ByteBuffer b;
        while ((b = in.fillBuf()).hasRemaining()) {
            int n = b.remaining();
            sum += sum(b, bytes);
            bytes += n;
            in.consume(n);
        }
        return new long[] {bytes, sum};
    }

    /** One byte per 64 of the stream, at stream offsets that are multiples of 64, weighted by the offset. */
    private static long sum(ByteBuffer b, long streamOffset) {
        long s = 0;
        int first = (int) ((64 - (streamOffset & 63)) & 63);
        for (int i = b.position() + first; i < b.limit(); i += 64) {
            s += (b.get(i) & 0xff) * (streamOffset + i - b.position());
        }
        return s;
    }
}
