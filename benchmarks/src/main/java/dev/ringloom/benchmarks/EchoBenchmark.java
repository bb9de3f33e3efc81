package dev.ringloom.benchmarks;

import dev.ringloom.samples.EchoClient;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The echo server on ringloom against the same server on JDK {@code java.net} sockets and against Netty's io_uring
 * transport ({@link NettyEchoServer}, 2 event loops), each in its own JVM,
 * driven by the same load generator in this JVM ({@link NettyEchoLoad}, epoll event loops, by default;
 * {@link EchoClient}, a virtual thread per connection on JDK sockets, with {@code vthreads}), alternating servers
 * between rounds so drift hits both alike. Prints round trips/s, the ratio and p50/p99 per configuration.
 * Every server JVM first serves the same load for {@link #WARMUP_SECONDS} unmeasured, so the figures are
 * steady state for all three (JIT compilation included in none).
 *
 * <pre>
 * mvn -q -DskipTests package exec:exec -pl benchmarks -am -Dbench="EchoBenchmark [seconds] [rounds]"
 * </pre>
 */
public final class EchoBenchmark {
    static final int[] CONNECTIONS = {1, 64, 1000};
    static final int[] SIZES = {64, 4096};
    static final int WARMUP_SECONDS = 3;

    // Usage: EchoBenchmark [seconds] [rounds] [connections,...] [sizes,...] [with netty: true|false]
    //        [load generator: epoll (NettyEchoLoad, the default) | vthreads (EchoClient)]

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        int[] connections = args.length > 2 ? parse(args[2]) : CONNECTIONS;
        int[] sizes = args.length > 3 ? parse(args[3]) : SIZES;
        boolean withNetty = args.length <= 4 || Boolean.parseBoolean(args[4]);
        boolean vthreads = args.length > 5 && args[5].equals("vthreads");
        Load load = vthreads ? EchoClient::load : NettyEchoLoad::load;
        Path jar = Path.of("samples/target/ringloom-samples.jar").toAbsolutePath();
        String java = ProcessHandle.current().info().command().orElse("java");
        System.out.printf("JDK %s, %d cores, kernel %s; %d s per point after a %d s server warm-up, best of %d"
                + " alternating rounds%n", Runtime.version(), Runtime.getRuntime().availableProcessors(),
                System.getProperty("os.version"), seconds, WARMUP_SECONDS, rounds);
        System.out.println("load generator: " + (vthreads ? "EchoClient (virtual thread per connection, JDK sockets)"
                : "NettyEchoLoad (" + NettyEchoLoad.LOOPS + " epoll event loops)"));
        System.out.printf("%-6s %-6s %14s %14s %7s %18s %18s %8s %8s %14s %7s %18s %8s%n", "conns", "size",
                "ringloom rt/s", "JDK rt/s", "vs JDK", "ringloom p50/p99", "JDK p50/p99", "rl cpu", "jdk cpu",
                "Netty rt/s", "vs Ntty", "Netty p50/p99", "ntty cpu");
        System.out.println("(latencies in us; cpu = server CPU us per round trip)");
        // The load generator runs in this JVM: warm it up once, or whichever server goes first pays for its JIT.
        measure(load, java, jar, "jdk", 7301, 64, 64, 2);
        for (int size : sizes) {
            for (int conns : connections) {
                Measured bestR = null, bestJ = null, bestN = null;
                for (int round = 0; round < rounds; round++) {
                    bestR = best(bestR, measure(load, java, jar, "ringloom", 7300, conns, size, seconds));
                    bestJ = best(bestJ, measure(load, java, jar, "jdk", 7301, conns, size, seconds));
                    if (withNetty) {
                        bestN = best(bestN, measure(load, java, jar, "netty", 7302, conns, size, seconds));
                    }
                }
                EchoClient.Result r = bestR.r(), j = bestJ.r();
                System.out.printf("%-6d %-6d %,14.0f %,14.0f %6.2fx %9.0f/%-8.0f %9.0f/%-8.0f %8.1f %8.1f", conns, size,
                        r.roundTripsPerSec(), j.roundTripsPerSec(), r.roundTripsPerSec() / j.roundTripsPerSec(),
                        r.p50Micros(), r.p99Micros(), j.p50Micros(), j.p99Micros(),
                        bestR.serverCpuMicrosPerRoundTrip(), bestJ.serverCpuMicrosPerRoundTrip());
                if (bestN != null) {
                    EchoClient.Result n = bestN.r();
                    System.out.printf(" %,14.0f %6.2fx %9.0f/%-8.0f %8.1f", n.roundTripsPerSec(),
                            r.roundTripsPerSec() / n.roundTripsPerSec(), n.p50Micros(), n.p99Micros(),
                            bestN.serverCpuMicrosPerRoundTrip());
                }
                System.out.println();
            }
        }
    }

    static int[] parse(String csv) {
        return java.util.Arrays.stream(csv.split(",")).mapToInt(Integer::parseInt).toArray();
    }

    static Measured best(Measured a, Measured b) {
        return a == null || b.r().roundTripsPerSec() > a.r().roundTripsPerSec() ? b : a;
    }

    record Measured(EchoClient.Result r, double serverCpuMicrosPerRoundTrip) {
    }

    /** utime + stime of a process, in clock ticks (1/100 s on Linux). */
    static long cpuTicks(long pid) throws IOException {
        String stat = java.nio.file.Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    /** A load generator: {@link EchoClient#load} or {@link NettyEchoLoad#load}. */
    @FunctionalInterface
    interface Load {
        EchoClient.Result run(InetSocketAddress target, int connections, int size, int seconds)
                throws InterruptedException;
    }

    static Measured measure(Load load, String java, Path jar, String io, int port, int conns, int size, int seconds)
            throws Exception {
        List<String> cmd = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED",
                "--sun-misc-unsafe-memory-access=allow"));
        // e.g. RINGLOOM_SERVER_OPTS="-Dringloom.pollers=2" to compare ringloom settings in one run
        String extra = System.getenv("RINGLOOM_SERVER_OPTS");
        if (io.equals("ringloom") && extra != null && !extra.isBlank()) {
            cmd.addAll(List.of(extra.trim().split("\\s+")));
        }
        if (io.equals("netty")) {
            cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), NettyEchoServer.class.getName(),
                    Integer.toString(port), "2"));
        } else {
            cmd.addAll(List.of("-jar", jar.toString(), "echo-server", "--io", io, "--port", Integer.toString(port),
                    "--bind", "127.0.0.1"));
        }
        Process server = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            InetSocketAddress target = new InetSocketAddress("127.0.0.1", port);
            awaitListening(target, server);
            load.run(target, conns, size, WARMUP_SECONDS);
            long cpu0 = cpuTicks(server.pid());
            EchoClient.Result r = load.run(target, conns, size, seconds);
            long cpu1 = cpuTicks(server.pid());
            if (r.mismatches() != 0 || r.failures() != 0) {
                throw new IllegalStateException(io + ": " + r);
            }
            // includes the client's 1 s ramp-up, the same for both servers
            double cpuMicros = (cpu1 - cpu0) * 10_000.0 / (r.roundTripsPerSec() * seconds);
            return new Measured(r, cpuMicros);
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
