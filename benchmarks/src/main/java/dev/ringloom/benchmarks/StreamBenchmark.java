package dev.ringloom.benchmarks;

import dev.ringloom.runtime.RingReader;
import dev.ringloom.runtime.RingSocket;
import dev.ringloom.runtime.Ringloom;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * One loopback connection streamed as fast as it goes, one end measured, the other a JDK {@code SocketChannel} on a
 * platform thread in the same JVM. Receiving: the peer writes {@code MiB} mebibytes in 256 KiB writes and the
 * measured end drains them — the JDK's {@code SocketChannel.read} into a 64 KiB direct buffer on a virtual thread
 * ({@code jdk}) and a platform thread ({@code jdk-platform}); {@link RingSocket#read} into the same on a thread of the
 * JDK's scheduler ({@code ringloom-read}), a platform thread ({@code ringloom-read-platform}) and the socket's poller
 * ({@code ringloom-read-poller}); {@link RingReader#fillBuf} / {@code consume} with no copy, on the poller
 * ({@code ringloom-reader}). Sending: the measured end writes the mebibytes from a 256 KiB direct buffer and the
 * peer drains them ({@code send-jdk}, {@code send-jdk-platform}, {@code send-ringloom}, {@code send-ringloom-platform},
 * {@code send-ringloom-poller}). Every receiver sums one byte per 64 of the stream, so the zero-copy reader touches
 * the data too, and the sums must agree. Prints MiB/s of the median round, the ratio to the JDK on the same kind of
 * thread paired by round, the process's CPU per MiB (the peer's included: the same work in every case) and the ring
 * completions per MiB.
 *
 * <pre>mvn -q -DskipTests package exec:exec -pl benchmarks -am -Dbench="StreamBenchmark [MiB] [rounds] [cases]"</pre>
 */
public final class StreamBenchmark {
    private static final int WRITE = 256 << 10, READ = 64 << 10;

    private StreamBenchmark() {
    }

    /** Which thread runs the measured end. */
    enum On { VIRTUAL, PLATFORM, POLLER }

    /**
     * @param send     the measured end sends (else it receives)
     * @param ringloom the measured end is a ringloom socket (else a JDK channel)
     * @param reader   receive through the zero-copy reader
     */
    record Case(String name, boolean send, boolean ringloom, On on, boolean reader) {
        String baseline() {
            return (send ? "send-" : "") + (on == On.PLATFORM ? "jdk-platform" : "jdk");
        }
    }

    static final List<Case> CASES = List.of(
            new Case("jdk", false, false, On.VIRTUAL, false),
            new Case("jdk-platform", false, false, On.PLATFORM, false),
            new Case("ringloom-read", false, true, On.VIRTUAL, false),
            new Case("ringloom-read-platform", false, true, On.PLATFORM, false),
            new Case("ringloom-read-poller", false, true, On.POLLER, false),
            new Case("ringloom-reader", false, true, On.POLLER, true),
            new Case("send-jdk", true, false, On.VIRTUAL, false),
            new Case("send-jdk-platform", true, false, On.PLATFORM, false),
            new Case("send-ringloom", true, true, On.VIRTUAL, false),
            new Case("send-ringloom-platform", true, true, On.PLATFORM, false),
            new Case("send-ringloom-poller", true, true, On.POLLER, false));

    record Result(long bytes, long sum, long nanos, long cpuNanos, long completions) {
        double mibPerSec() {
            return bytes / (1024.0 * 1024) / (nanos / 1e9);
        }
    }

    public static void main(String[] args) throws Exception {
        long mib = args.length > 0 ? Long.parseLong(args[0]) : 2048;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        List<Case> chosen = new ArrayList<>();
        for (Case c : CASES) {
            if (args.length <= 2 || List.of(args[2].split(",")).contains(c.name())) {
                chosen.add(c);
            }
        }
        for (Case c : List.copyOf(chosen)) {            // each with its baseline
            Case base = CASES.stream().filter(b -> b.name().equals(c.baseline())).findFirst().orElseThrow();
            if (!chosen.contains(base)) {
                chosen.addFirst(base);
            }
        }
        System.out.printf("JDK %s, %d cores, kernel %s; one loopback connection, %d MiB in %d KiB writes, %d rounds%n",
                Runtime.version(), Runtime.getRuntime().availableProcessors(), System.getProperty("os.version"), mib,
                WRITE >> 10, rounds);
        try (Ringloom ring = Ringloom.open()) {
            System.out.println("ringloom backend: " + ring.backendName() + (ring.schedulesOnPollers() ? ""
                    : " (poller cases on the JDK's scheduler: run with --add-opens java.base/java.lang=ALL-UNNAMED)"));
            List<Case> order = new ArrayList<>(chosen);
            for (Case c : order) {
                run(ring, c, Math.max(64, mib / 8));    // warm-up
            }
            Map<String, List<Result>> results = new LinkedHashMap<>();
            for (int round = 0; round < rounds; round++) {
                for (Case c : order) {
                    results.computeIfAbsent(c.name(), k -> new ArrayList<>()).add(run(ring, c, mib));
                }
                Collections.reverse(order);              // so drift within a round favours no case
            }
            long sum = results.values().iterator().next().getFirst().sum();
            System.out.printf("%-22s %10s %18s %12s %10s  %s%n", "case", "MiB/s", "vs JDK", "cpu us/MiB", "cqes/MiB",
                    "MiB/s by round");
            for (Case c : chosen) {
                List<Result> mine = results.get(c.name());
                for (Result r : mine) {
                    if (r.sum() != sum) {
                        throw new IllegalStateException(c.name() + " moved other bytes: sum " + r.sum());
                    }
                }
                double[] rate = mine.stream().mapToDouble(Result::mibPerSec).toArray();
                double[] base = results.get(c.baseline()).stream().mapToDouble(Result::mibPerSec).toArray();
                Result m = mine.get(EchoBenchmark.medianRound(rate));
                double mibs = m.bytes() / (1024.0 * 1024);
                System.out.printf("%-22s %,10.0f %18s %12.1f %10.1f  %s%n", c.name(), m.mibPerSec(),
                        EchoBenchmark.pairedRatio(rate, base), m.cpuNanos() / 1e3 / mibs, m.completions() / mibs,
                        Arrays.stream(rate).mapToObj(x -> String.format("%.0f", x)).toList());
            }
        }
    }

    private static Result run(Ringloom ring, Case c, long mib) throws Exception {
        long bytes = mib << 20;
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            InetSocketAddress at = (InetSocketAddress) server.getLocalAddress();
            long[] peerGot = new long[2];
            Thread peer = Thread.ofPlatform().start(() -> {
                try (SocketChannel s = server.accept()) {
                    if (c.send()) {
                        long[] got = drain(s::read);
                        peerGot[0] = got[0];
                        peerGot[1] = got[1];
                    } else {
                        send(s, bytes);
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            long completions0 = ring.stats().completedTotal();
            long[] cpu0 = EchoBenchmark.cpuTicks(ProcessHandle.current().pid());
            long t0 = System.nanoTime();
            long[] got;
            if (!c.ringloom()) {
                try (SocketChannel s = SocketChannel.open(at)) {
                    got = OnThread.call(c.on() == On.PLATFORM ? Thread.ofPlatform() : Thread.ofVirtual(),
                            () -> c.send() ? send(s, bytes) : drain(s::read));
                }
            } else {
                try (RingSocket s = ring.connect(at)) {
                    Thread.Builder on = switch (c.on()) {
                        case VIRTUAL -> Thread.ofVirtual();
                        case PLATFORM -> Thread.ofPlatform();
                        case POLLER -> ring.ofVirtual(s);
                    };
                    got = OnThread.call(on, () -> c.send() ? send(s, bytes) : c.reader() ? reader(s.reader()) : drain(s::read));
                }
            }
            peer.join();
            long nanos = System.nanoTime() - t0;
            long[] cpu1 = EchoBenchmark.cpuTicks(ProcessHandle.current().pid());
            long cpu = (cpu1[0] + cpu1[1] - cpu0[0] - cpu0[1]) * 10_000_000L;   // USER_HZ: 100 ticks a second
            long[] received = c.send() ? peerGot : got;
            return new Result(received[0], received[1], nanos, cpu, ring.stats().completedTotal() - completions0);
        }
    }

    /** Writes {@code bytes} of the stream's pattern (the same 256 KiB over and over); returns nothing received. */
    private static long[] send(ByteChannel s, long bytes) throws IOException {
        byte[] data = new byte[WRITE];
        new SplittableRandom(7).nextBytes(data);
        ByteBuffer buf = ByteBuffer.allocateDirect(WRITE).put(data);
        for (long left = bytes; left > 0; ) {
            buf.clear().limit((int) Math.min(WRITE, left));
            while (buf.hasRemaining()) {
                left -= s.write(buf);
            }
        }
        return null;
    }

    interface Read {
        int read(ByteBuffer dst) throws IOException;
    }

    private static long[] drain(Read in) throws IOException {
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
