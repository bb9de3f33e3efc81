package dev.ringloom.benchmarks;

import com.sun.nio.file.ExtendedOpenOption;
import dev.ringloom.poller.PollerConfig;
import dev.ringloom.runtime.IoBuffer;
import dev.ringloom.runtime.RingFile;
import dev.ringloom.runtime.RingOpenOption;
import dev.ringloom.runtime.Ringloom;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * 4 KiB random reads of a 1 GiB file from N virtual threads: ringloom's {@link RingFile#read(ByteBuffer, long)}
 * against the JDK's {@link FileChannel#read(ByteBuffer, long)}, measured in the same JVM, one after the other,
 * with the peak number of OS threads of the process during each run.
 *
 * <pre>
 * mvn -q -DskipTests package exec:exec -pl benchmarks -am -Dbench="FileReadBenchmark [cached|direct|both|fixed] [seconds] [file] [threads,...]"
 * </pre>
 * Modes: {@code cached} reads a file that is in the page cache; {@code direct} opens it with O_DIRECT so every
 * read goes to the device; {@code fixed} reads with O_DIRECT into owned buffers ({@link IoBuffer}), from a runtime
 * whose buffers are registered with the ring (so {@code READ_FIXED}) and from one whose are not, each thread's
 * buffer its own, against the JDK. With O_DIRECT each column also says how long a read spent in the block device
 * and how many were there on average ({@link BlockDeviceReads}): the rest of a reader's cycle is spent outside the
 * device — hand-offs, queues, wake-ups — which is what separates readers at the same device. Not a pass/fail test:
 * it prints numbers.
 */
public final class FileReadBenchmark {
    static final int BLOCK = 4096;
    static final long FILE_SIZE = 1L << 30;
    static int[] THREADS = {1, 32, 256};

    interface Reader {
        int read(ByteBuffer dst, long pos) throws IOException;
    }

    /**
     * @param cpuMicrosPerOp this process's CPU time (user and system, all threads) per read over the run
     * @param deviceMicrosPerRead the time a read spent in the block device over the run ({@link BlockDeviceReads}),
     *                            NaN where the file's device has no counters
     * @param deviceDepth         reads in the device on average over the run, NaN likewise
     */
    record Result(double opsPerSec, int peakThreads, double cpuMicrosPerOp, double deviceMicrosPerRead,
            double deviceDepth) {
    }

    /** The counters of the device the benchmark's file is on, or null. */
    static BlockDeviceReads device;

    public static void main(String[] args) throws Exception {
        String mode = args.length > 0 ? args[0] : "both";
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        Path file = Path.of(args.length > 2 ? args[2] : "benchmarks/target/bench-1g.bin");
        if (args.length > 3) {
            THREADS = EchoBenchmark.parse(args[3]);
        }
        ensureFile(file);
        device = BlockDeviceReads.of(file);
        System.out.printf("JDK %s, %d cores, kernel %s, %d s per run%n", Runtime.version(),
                Runtime.getRuntime().availableProcessors(), System.getProperty("os.version"), seconds);
        try (Ringloom ring = Ringloom.open()) {
            if (mode.equals("cached") || mode.equals("both")) {
                warmPageCache(file);
                run("cached", ring, file, false, seconds);
            }
            if (mode.equals("direct") || mode.equals("both")) {
                run("O_DIRECT", ring, file, true, seconds);
            }
        }
        if (mode.equals("fixed")) {
            warmPageCache(file);
            runOwned(file, false, seconds);
            runOwned(file, true, seconds);
        }
    }

    /** 4 KiB reads into owned buffers: registered (READ_FIXED) vs plain, in alternating halves, and the JDK. */
    static void runOwned(Path file, boolean direct, int seconds) throws Exception {
        int slots = THREADS[THREADS.length - 1];
        PollerConfig base = PollerConfig.defaults();
        System.out.printf("%n4 KiB random reads, %s, owned buffers: registered (READ_FIXED) vs plain%n",
                direct ? "O_DIRECT" : "cached");
        var options = direct ? new java.nio.file.OpenOption[]{StandardOpenOption.READ, RingOpenOption.DIRECT}
                : new java.nio.file.OpenOption[]{StandardOpenOption.READ};
        System.out.printf("%-8s %16s %16s %7s %14s %7s%n", "threads", "fixed ops/s", "plain ops/s", "f/p",
                "JDK ops/s", "f/JDK");
        try (Ringloom fixedRing = Ringloom.open(base.withRegisteredBuffers(slots, BLOCK));
             Ringloom plainRing = Ringloom.open(base.withRegisteredBuffers(0, BLOCK));
             RingFile fixed = fixedRing.openFile(file, options);
             RingFile plain = plainRing.openFile(file, options);
             FileChannel fc = direct ? FileChannel.open(file, StandardOpenOption.READ, ExtendedOpenOption.DIRECT)
                     : FileChannel.open(file, StandardOpenOption.READ)) {
            measureOwned(fixedRing, fixed, 32, 2);
            measureOwned(plainRing, plain, 32, 2);
            measure(fc::read, 32, 2);
            for (int threads : THREADS) {
                long fixedOps0 = fixedRing.stats().fixedBufferOpsTotal();
                // Alternating halves, so a drift of the device or the VM lands on both alike.
                double f = 0, p = 0;
                for (int half = 0; half < 2; half++) {
                    f += measureOwned(fixedRing, fixed, threads, seconds).opsPerSec / 2;
                    p += measureOwned(plainRing, plain, threads, seconds).opsPerSec / 2;
                }
                double j = measure(fc::read, threads, seconds).opsPerSec;
                if (direct && fixedRing.stats().fixedBufferOpsTotal() == fixedOps0) {
                    System.out.println("(the kernel refused the registration: both columns are plain reads)");
                }
                System.out.printf("%-8d %,16.0f %,16.0f %6.2fx %,14.0f %6.2fx%n", threads, f, p, f / p, j, f / j);
            }
        }
    }

    static Result measureOwned(Ringloom ring, RingFile f, int threads, int seconds) throws Exception {
        return measure(threads, seconds, rnd -> {
            IoBuffer buf = ring.allocate(BLOCK);
            return pos -> {
                if (f.read(buf, pos).length() != BLOCK) {
                    throw new IllegalStateException("short read");
                }
            };
        });
    }

    static final int ROUNDS = 3;

    /**
     * ringloom's reads (virtual threads on the JDK's scheduler, and on the pollers) against the JDK's, per thread
     * count in {@link #ROUNDS} rounds of alternating order, the ratios paired by round (a virtio disk's rate drifts by
     * several times within a minute here, so only back-to-back runs compare). The OS-thread columns come from a
     * census before the JDK's first run: the carriers the JDK adds to compensate for blocked reads outlive its runs
     * and would be counted against ringloom's later ones.
     */
    static void run(String label, Ringloom ring, Path file, boolean direct, int seconds) throws Exception {
        System.out.printf("%n4 KiB random reads, %s; \"pollers\": the readers are ring.ofVirtual() threads; ops/s of"
                + " the median round, ratios paired by round: median [min-max]%n", label);
        boolean showDevice = direct && device != null;
        if (showDevice) {
            System.out.println("dev us/read: time a read spent in the device; depth: reads in it on average ("
                    + device.stat() + ")");
        }
        System.out.printf("%-8s %14s %14s %14s %20s %20s %7s %7s %7s %18s%s%n", "threads", "ringloom ops/s",
                "pollers ops/s", "JDK ops/s", "ringloom/JDK", "pollers/JDK", "OS thr", "pollers", "JDK",
                "cpu us/read r/p/J", showDevice
                        ? String.format(" %20s %16s", "dev us/read r/p/J", "depth r/p/J") : "");
        try (RingFile rf = direct ? ring.openFile(file, StandardOpenOption.READ, RingOpenOption.DIRECT) : ring.openFile(file);
             FileChannel fc = direct ? FileChannel.open(file, StandardOpenOption.READ, ExtendedOpenOption.DIRECT)
                     : FileChannel.open(file, StandardOpenOption.READ)) {
            Thread.Builder onPollers = ring.ofVirtual();
            int[][] census = new int[THREADS.length][3];
            for (int i = 0; i < THREADS.length; i++) {     // also the warm-up: JIT, pools
                census[i][0] = measure(rf::read, THREADS[i], 2, Thread.ofVirtual()).peakThreads;
                census[i][1] = measure(rf::read, THREADS[i], 2, onPollers).peakThreads;
            }
            for (int i = 0; i < THREADS.length; i++) {
                census[i][2] = measure(fc::read, THREADS[i], 2, Thread.ofVirtual()).peakThreads;
            }
            for (int i = 0; i < THREADS.length; i++) {
                int threads = THREADS[i];
                List<Reader> readers = List.of(rf::read, rf::read, fc::read);
                List<Thread.Builder> builders = List.of(Thread.ofVirtual(), onPollers, Thread.ofVirtual());
                double[][] ops = new double[3][ROUNDS];
                double[][] cpu = new double[3][ROUNDS];
                double[][] devMicros = new double[3][ROUNDS];
                double[][] depth = new double[3][ROUNDS];
                for (int round = 0; round < ROUNDS; round++) {
                    for (int k = 0; k < 3; k++) {
                        int which = round % 2 == 0 ? k : 2 - k;
                        Result r = measure(readers.get(which), threads, seconds, builders.get(which));
                        ops[which][round] = r.opsPerSec;
                        cpu[which][round] = r.cpuMicrosPerOp;
                        devMicros[which][round] = r.deviceMicrosPerRead;
                        depth[which][round] = r.deviceDepth;
                    }
                }
                int mid = EchoBenchmark.medianRound(ops[2]);
                System.out.printf("%-8d %,14.0f %,14.0f %,14.0f %20s %20s %7d %7d %7d %18s%s%n", threads,
                        ops[0][mid], ops[1][mid], ops[2][mid], EchoBenchmark.pairedRatio(ops[0], ops[2]),
                        EchoBenchmark.pairedRatio(ops[1], ops[2]), census[i][0], census[i][1], census[i][2],
                        String.format("%.1f/%.1f/%.1f", cpu[0][mid], cpu[1][mid], cpu[2][mid]),
                        showDevice ? String.format(" %20s %16s",
                                String.format("%.0f/%.0f/%.0f", devMicros[0][mid], devMicros[1][mid],
                                        devMicros[2][mid]),
                                String.format("%.1f/%.1f/%.1f", depth[0][mid], depth[1][mid], depth[2][mid])) : "");
            }
        }
        if (direct) {
            System.out.println("device limit, after the runs: " + Fio.randomReads(file, 64, seconds));
        }
    }

    /** One thread's reads: a read of a block at {@code pos}. */
    interface BlockRead {
        void read(long pos) throws IOException;
    }

    static Result measure(Reader reader, int threads, int seconds) throws Exception {
        return measure(reader, threads, seconds, Thread.ofVirtual());
    }

    /** {@code threads} readers started by {@code builder}, each with a 4 KiB aligned direct buffer of its own. */
    static Result measure(Reader reader, int threads, int seconds, Thread.Builder builder) throws Exception {
        return measure(threads, seconds, builder, rnd -> {
            ByteBuffer buf = ByteBuffer.allocateDirect(2 * BLOCK).alignedSlice(BLOCK);
            return pos -> {
                buf.clear().limit(BLOCK);
                if (reader.read(buf, pos) != BLOCK) {
                    throw new IllegalStateException("short read");
                }
            };
        });
    }

    static Result measure(int threads, int seconds, java.util.function.Function<SplittableRandom, BlockRead> perThread)
            throws Exception {
        return measure(threads, seconds, Thread.ofVirtual(), perThread);
    }

    static Result measure(int threads, int seconds, Thread.Builder builder,
            java.util.function.Function<SplittableRandom, BlockRead> perThread) throws Exception {
        LongAdder ops = new LongAdder();
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> workers = new ArrayList<>();
        long blocks = FILE_SIZE / BLOCK;
        for (int t = 0; t < threads; t++) {
            long seed = t * 7919L + System.nanoTime();
            workers.add(builder.start(() -> {
                SplittableRandom rnd = new SplittableRandom(seed);
                BlockRead read = perThread.apply(rnd);
                long n = 0;
                try {
                    while (!stop.get()) {
                        read.read(rnd.nextLong(blocks) * BLOCK);
                        n++;
                    }
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
                ops.add(n);
            }));
        }
        int peak = 0;
        BlockDeviceReads.Sample dev0 = device == null ? null : device.sample();
        long[] cpu0 = EchoBenchmark.cpuTicks(ProcessHandle.current().pid());
        long t0 = System.nanoTime();
        long end = t0 + seconds * 1_000_000_000L;
        while (System.nanoTime() < end) {
            peak = Math.max(peak, osThreads());
            Thread.sleep(50);
        }
        stop.set(true);
        for (Thread w : workers) {
            w.join();
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        long[] cpu1 = EchoBenchmark.cpuTicks(ProcessHandle.current().pid());
        BlockDeviceReads.Sample dev1 = device == null ? null : device.sample();
        double cpuMicros = (cpu1[0] + cpu1[1] - cpu0[0] - cpu0[1]) * 10_000.0;   // USER_HZ: 100 ticks a second
        return new Result(ops.sum() / secs, peak, cpuMicros / Math.max(1, ops.sum()),
                dev0 == null ? Double.NaN : dev1.microsPerRead(dev0), dev0 == null ? Double.NaN : dev1.depth(dev0));
    }

    /** The process's OS threads right now ({@code Threads:} in /proc/self/status). */
    static int osThreads() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("Threads:")) {
                return Integer.parseInt(line.substring(8).trim());
            }
        }
        return -1;
    }

    static void ensureFile(Path file) throws IOException {
        if (Files.exists(file) && Files.size(file) == FILE_SIZE) {
            return;
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        byte[] chunk = new byte[1 << 20];
        SplittableRandom rnd = new SplittableRandom(1);
        try (FileChannel fc = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            for (long at = 0; at < FILE_SIZE; at += chunk.length) {
                rnd.nextBytes(chunk);
                ByteBuffer b = ByteBuffer.wrap(chunk);
                while (b.hasRemaining()) {
                    fc.write(b);
                }
            }
            fc.force(true);
        }
    }

    static void warmPageCache(Path file) throws IOException {
        try (FileChannel fc = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocateDirect(1 << 20);
            while (fc.read(b.clear()) > 0) {
                // touch every page
            }
        }
    }
}
