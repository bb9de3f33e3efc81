package dev.ringloom.benchmarks;

import dev.ringloom.poller.PollerConfig;
import dev.ringloom.runtime.RingFile;
import dev.ringloom.runtime.Ringloom;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Start-up cost, in fresh JVMs: how long {@code Ringloom.open()} takes and how long until the first file read has
 * its bytes, on the io_uring backend and on the JDK backend, against the JDK's own {@code FileChannel} doing the
 * same read. Each of {@code runs} JVMs per mode does it once (a first call: class loading, FFM linking, ring setup
 * all count); the table gives medians and the ratio to the JDK's channel.
 *
 * <pre>mvn -q -DskipTests package exec:exec -pl benchmarks -am -Dbench="StartupBenchmark 15"</pre>
 */
public final class StartupBenchmark {
    private StartupBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 15;
        Path file = Files.createTempFile("ringloom-startup", ".bin");
        Files.write(file, new byte[4096]);
        try {
            System.out.printf("start-up, median of %d fresh JVMs each (%s, %d cores, JDK %s)%n", runs,
                    System.getProperty("os.version"), Runtime.getRuntime().availableProcessors(),
                    Runtime.version());
            System.out.printf("%-10s %14s %20s %16s%n", "mode", "open (ms)", "open+first read (ms)", "vs JDK channel");
            double jdkChannel = 0;
            for (String mode : List.of("jdk-channel", "jdk", "io_uring")) {
                double[] open = new double[runs], first = new double[runs];
                for (int i = 0; i < runs; i++) {
                    double[] r = child(mode, file);
                    open[i] = r[0];
                    first[i] = r[1];
                }
                double o = median(open), f = median(first);
                if (mode.equals("jdk-channel")) {
                    jdkChannel = f;
                }
                System.out.printf(Locale.ROOT, "%-10s %14.1f %20.1f %15.2f×%n", mode, o, f, f / jdkChannel);
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    /** One fresh JVM's {open ms, open + first read ms}. */
    private static double[] child(String mode, Path file) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                Child.class.getName(), mode, file.toString()));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes()).strip();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(mode + " child failed: " + out);
        }
        String[] f = out.split(" ");
        return new double[]{Double.parseDouble(f[0]), Double.parseDouble(f[1])};
    }

    /** Prints "openMillis firstReadMillis" for one mode. */
    public static final class Child {
        private Child() {
        }

        public static void main(String[] args) throws Exception {
            String mode = args[0];
            Path file = Path.of(args[1]);
            ByteBuffer dst = ByteBuffer.allocate(4096);
            long t0 = System.nanoTime();
            if (mode.equals("jdk-channel")) {
                try (FileChannel ch = FileChannel.open(file)) {
                    long t1 = System.nanoTime();
                    ch.read(dst);
                    print(t0, t1, System.nanoTime());
                }
                return;
            }
            try (Ringloom ring = Ringloom.open(PollerConfig.defaults(), mode)) {
                long t1 = System.nanoTime();
                try (RingFile f = ring.openFile(file)) {
                    f.read(dst);
                }
                print(t0, t1, System.nanoTime());
            }
        }

        private static void print(long t0, long t1, long t2) {
            System.out.printf(Locale.ROOT, "%.3f %.3f%n", (t1 - t0) / 1e6, (t2 - t0) / 1e6);
        }
    }
}
