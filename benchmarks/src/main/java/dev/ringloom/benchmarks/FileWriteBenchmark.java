package dev.ringloom.benchmarks;

import dev.ringloom.runtime.RingFile;
import dev.ringloom.runtime.Ringloom;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;

/**
 * Buffered writes into a page-cached file from virtual threads: ringloom's {@link RingFile#write(ByteBuffer, long)}
 * (writes on the calling thread, the default), the same through the ring (a runtime opened with
 * {@code ringloom.callerWrites=false}: what every write did before), and writers scheduled on a poller
 * ({@code ring.ofVirtual()}), against the JDK's {@link FileChannel#write(ByteBuffer, long)}, in the same JVM, in
 * alternating order, ratios paired by round. Four shapes: one thread writing 4 KiB after 4 KiB (a log), 32 threads
 * writing 4 KiB at random offsets, 8 threads writing 1 MiB chunks (the {@code copy} sample's shape), from heap buffers
 * and from direct ones (which the JDK writes without a copy of its own). Every write
 * overwrites a page of a 256 MiB file written once beforehand, so the page cache holds it and the dirty pages stay
 * well under the kernel's limits: what is measured is the write, not the disk's writeback. Not a pass/fail test.
 *
 * <pre>
 * mvn -q -DskipTests package exec:exec -pl benchmarks -am -Dbench="FileWriteBenchmark [rounds] [seconds] [dir]"
 * </pre>
 */
public final class FileWriteBenchmark {
    private static final long FILE_SIZE = 256L << 20;

    interface Writer {
        int write(ByteBuffer src, long pos) throws IOException;
    }

    /** One shape of load: how many threads, how large each write, and whether offsets follow each other. */
    record Shape(String label, int threads, int size, boolean sequential, boolean direct) {
    }

    record Result(double writesPerSec, double cpuMicrosPerWrite) {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        Path dir = Path.of(args.length > 2 ? args[2] : "benchmarks/target");
        Path file = dir.resolve("bench-writes.bin");
        Files.createDirectories(dir);
        Files.write(file, new byte[(int) FILE_SIZE]);
        System.out.printf("JDK %s, %d cores, kernel %s; %s on %s; %d rounds of %d s, alternating order%n",
                Runtime.version(), Runtime.getRuntime().availableProcessors(), System.getProperty("os.version"), file,
                Files.getFileStore(file).type(), rounds, seconds);
        List<Shape> shapes = List.of(new Shape("4 KiB, 1 thread, sequential", 1, 4096, true, false),
                new Shape("4 KiB, 32 threads, random", 32, 4096, false, false),
                new Shape("1 MiB, 8 threads, random", 8, 1 << 20, false, false),
                new Shape("1 MiB, 8 threads, direct buffers", 8, 1 << 20, false, true));
        try (Ringloom ring = Ringloom.open();
             Ringloom throughRing = openWithRingWrites();
             RingFile rf = ring.openFile(file, READ, WRITE);
             RingFile viaRing = throughRing.openFile(file, READ, WRITE);
             FileChannel fc = FileChannel.open(file, READ, WRITE, CREATE)) {
            List<String> names = List.of("ringloom", "through the ring", "ring.ofVirtual()", "JDK");
            List<Writer> writers = List.of(rf::write, viaRing::write, rf::write, fc::write);
            List<Thread.Builder> builders = List.of(Thread.ofVirtual(), Thread.ofVirtual(), ring.ofVirtual(),
                    Thread.ofVirtual());
            System.out.printf("%-30s %14s %20s %20s %20s %14s %22s%n", "writes", "ringloom /s", "ringloom/JDK",
                    "ring/JDK (before)", "ofVirtual/JDK", "JDK /s", "cpu us/write r/b/p/J");
            for (Shape shape : shapes) {
                for (int k = 0; k < writers.size(); k++) {                // warm-up, JIT
                    measure(writers.get(k), shape, 1, builders.get(k));
                }
                double[][] rate = new double[writers.size()][rounds];
                double[][] cpu = new double[writers.size()][rounds];
                for (int round = 0; round < rounds; round++) {
                    for (int j = 0; j < writers.size(); j++) {
                        int k = round % 2 == 0 ? j : writers.size() - 1 - j;
                        Result r = measure(writers.get(k), shape, seconds, builders.get(k));
                        rate[k][round] = r.writesPerSec;
                        cpu[k][round] = r.cpuMicrosPerWrite;
                    }
                }
                int mid = EchoBenchmark.medianRound(rate[3]);
                System.out.printf("%-30s %14.0f %20s %20s %20s %14.0f %22s%n", shape.label, rate[0][mid],
                        EchoBenchmark.pairedRatio(rate[0], rate[3]), EchoBenchmark.pairedRatio(rate[1], rate[3]),
                        EchoBenchmark.pairedRatio(rate[2], rate[3]), rate[3][mid],
                        String.format("%.1f/%.1f/%.1f/%.1f", cpu[0][mid], cpu[1][mid], cpu[2][mid], cpu[3][mid]));
            }
            System.out.println("(" + names + ")");
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** A second runtime whose files write through the ring: the property is read when a runtime opens. */
    private static Ringloom openWithRingWrites() throws IOException {
        String before = System.getProperty("ringloom.callerWrites");
        System.setProperty("ringloom.callerWrites", "false");
        try {
            return Ringloom.open();
        } finally {
            if (before == null) {
                System.clearProperty("ringloom.callerWrites");
            } else {
                System.setProperty("ringloom.callerWrites", before);
            }
        }
    }

    static Result measure(Writer writer, Shape shape, int seconds, Thread.Builder builder) throws Exception {
        LongAdder writes = new LongAdder();
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> workers = new ArrayList<>();
        long slots = FILE_SIZE / shape.size;
        for (int t = 0; t < shape.threads; t++) {
            long seed = t * 7919L + System.nanoTime();
            workers.add(builder.start(() -> {
                SplittableRandom rnd = new SplittableRandom(seed);
                byte[] bytes = new byte[shape.size];
                rnd.nextBytes(bytes);
                ByteBuffer src = shape.direct ? ByteBuffer.allocateDirect(shape.size).put(bytes) : ByteBuffer.wrap(bytes);
                long n = 0, next = rnd.nextLong(slots);
                try {
                    while (!stop.get()) {
                        long pos = (shape.sequential ? next++ % slots : rnd.nextLong(slots)) * shape.size;
                        src.clear();
                        while (src.hasRemaining()) {
                            writer.write(src, pos + src.position());
                        }
                        n++;
                    }
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
                writes.add(n);
            }));
        }
        long[] cpu0 = EchoBenchmark.cpuTicks(ProcessHandle.current().pid());
        long t0 = System.nanoTime();
        Thread.sleep(seconds * 1000L);
        stop.set(true);
        for (Thread w : workers) {
            w.join();
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        long[] cpu1 = EchoBenchmark.cpuTicks(ProcessHandle.current().pid());
        double cpuMicros = (cpu1[0] + cpu1[1] - cpu0[0] - cpu0[1]) * 10_000.0;   // USER_HZ: 100 ticks a second
        return new Result(writes.sum() / secs, cpuMicros / Math.max(1, writes.sum()));
    }
}
