package dev.ringloom.benchmarks;

import dev.ringloom.runtime.RingFile;
import dev.ringloom.runtime.Ringloom;

import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Opening and closing a file whose path is in the dentry cache, as a server does for files it served before:
 * {@link Ringloom#openFile} + close against {@link FileChannel#open} + close, from a platform thread and from a
 * virtual thread, measured in the same JVM, round by round. Not a pass/fail test: it prints numbers.
 *
 * <pre>
 * mvn -q -DskipTests package exec:exec -pl benchmarks -am -Dbench="OpenBenchmark [rounds] [opens per round]"
 * </pre>
 */
public final class OpenBenchmark {
    private OpenBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = Math.max(2, args.length > 0 ? Integer.parseInt(args[0]) : 7);   // the first is the JIT's
        int opens = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
        Path file = Files.createTempFile(Files.createDirectories(Path.of("benchmarks/target")), "open", ".txt");
        Files.writeString(file, "opened");
        System.out.printf("JDK %s, %d cores, kernel %s; %d rounds of %d opens + closes of one cached path%n",
                Runtime.version(), Runtime.getRuntime().availableProcessors(), System.getProperty("os.version"),
                rounds, opens);
        try (Ringloom ring = Ringloom.open()) {
            double[][] us = new double[4][rounds];     // ringloom platform, ringloom virtual, JDK platform, JDK virtual
            for (int r = 0; r < rounds; r++) {
                us[0][r] = perOpen(opens, () -> ring.openFile(file).close());
                us[2][r] = perOpen(opens, () -> FileChannel.open(file).close());
                us[1][r] = onVirtual(() -> perOpen(opens, () -> ring.openFile(file).close()));
                us[3][r] = onVirtual(() -> perOpen(opens, () -> FileChannel.open(file).close()));
            }
            System.out.printf("%-10s %14s %14s %20s%n", "thread", "ringloom us", "JDK us", "ringloom/JDK (rate)");
            print("platform", us[0], us[2]);
            print("virtual", us[1], us[3]);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    interface Open {
        void run() throws Exception;
    }

    interface Measure {
        double run() throws Exception;
    }

    private static double perOpen(int opens, Open open) throws Exception {
        long t0 = System.nanoTime();
        for (int i = 0; i < opens; i++) {
            open.run();
        }
        return (System.nanoTime() - t0) / 1e3 / opens;
    }

    private static double onVirtual(Measure m) throws Exception {
        return OnThread.call(Thread.ofVirtual(), m::run);
    }

    /** Medians over the rounds after the first (the JIT's), and the median of the paired ratios. */
    private static void print(String thread, double[] ring, double[] jdk) {
        int n = ring.length - 1;
        double[] r = Arrays.copyOfRange(ring, 1, ring.length), j = Arrays.copyOfRange(jdk, 1, jdk.length);
        double[] ratio = new double[n];
        for (int i = 0; i < n; i++) {
            ratio[i] = j[i] / r[i];
        }
        Arrays.sort(r);
        Arrays.sort(j);
        Arrays.sort(ratio);
        System.out.printf("%-10s %14.2f %14.2f %12.2fx [%.2f-%.2f]%n", thread, r[n / 2], j[n / 2], ratio[n / 2],
                ratio[0], ratio[n - 1]);
    }
}
