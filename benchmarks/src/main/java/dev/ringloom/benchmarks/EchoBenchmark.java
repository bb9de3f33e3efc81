package dev.ringloom.benchmarks;

import dev.ringloom.samples.EchoClient;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The echo server on ringloom against the same server on JDK {@code java.net} sockets, each in its own JVM,
 * driven by the same load generator ({@link EchoClient}, on JDK sockets, in this JVM), alternating servers
 * between rounds so drift hits both alike. Prints round trips/s, the ratio and p50/p99 per configuration.
 *
 * <pre>
 * mvn -q -DskipTests package exec:exec -pl benchmarks -am -Dbench="EchoBenchmark [seconds] [rounds]"
 * </pre>
 */
public final class EchoBenchmark {
    static final int[] CONNECTIONS = {1, 64, 1000};
    static final int[] SIZES = {64, 4096};

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        Path jar = Path.of("samples/target/ringloom-samples.jar").toAbsolutePath();
        String java = ProcessHandle.current().info().command().orElse("java");
        System.out.printf("JDK %s, %d cores, kernel %s; %d s per point, best of %d alternating rounds%n",
                Runtime.version(), Runtime.getRuntime().availableProcessors(), System.getProperty("os.version"),
                seconds, rounds);
        System.out.printf("%-6s %-6s %16s %16s %7s %18s %18s%n", "conns", "size", "ringloom rt/s", "JDK rt/s", "ratio",
                "ringloom p50/p99", "JDK p50/p99");
        for (int size : SIZES) {
            for (int conns : CONNECTIONS) {
                EchoClient.Result bestR = null, bestJ = null;
                for (int round = 0; round < rounds; round++) {
                    EchoClient.Result r = measure(java, jar, "ringloom", 7300, conns, size, seconds);
                    EchoClient.Result j = measure(java, jar, "jdk", 7301, conns, size, seconds);
                    bestR = best(bestR, r);
                    bestJ = best(bestJ, j);
                }
                System.out.printf("%-6d %-6d %,16.0f %,16.0f %6.2fx %9.0f/%-8.0f %9.0f/%-8.0f%n", conns, size,
                        bestR.roundTripsPerSec(), bestJ.roundTripsPerSec(),
                        bestR.roundTripsPerSec() / bestJ.roundTripsPerSec(),
                        bestR.p50Micros(), bestR.p99Micros(), bestJ.p50Micros(), bestJ.p99Micros());
            }
        }
    }

    static EchoClient.Result best(EchoClient.Result a, EchoClient.Result b) {
        return a == null || b.roundTripsPerSec() > a.roundTripsPerSec() ? b : a;
    }

    static EchoClient.Result measure(String java, Path jar, String io, int port, int conns, int size, int seconds)
            throws Exception {
        List<String> cmd = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED",
                "--sun-misc-unsafe-memory-access=allow", "-jar", jar.toString(), "echo-server", "--io", io,
                "--port", Integer.toString(port), "--bind", "127.0.0.1"));
        Process server = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            InetSocketAddress target = new InetSocketAddress("127.0.0.1", port);
            awaitListening(target, server);
            EchoClient.Result r = EchoClient.load(target, conns, size, seconds);
            if (r.mismatches() != 0 || r.failures() != 0) {
                throw new IllegalStateException(io + ": " + r);
            }
            return r;
        } finally {
            server.destroy();
            server.waitFor();
        }
    }

    static void awaitListening(InetSocketAddress target, Process server) throws InterruptedException {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (!server.isAlive()) {
                throw new IllegalStateException("echo server exited with " + server.exitValue());
            }
            try (Socket s = new Socket()) {
                s.connect(target, 200);
                return;
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        throw new IllegalStateException("echo server did not start listening on " + target);
    }
}
