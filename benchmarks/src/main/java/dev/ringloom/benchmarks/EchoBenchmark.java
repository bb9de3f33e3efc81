package dev.ringloom.benchmarks;

import dev.ringloom.samples.EchoClient;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The echo server on ringloom against the same server on JDK {@code java.net} sockets and against Netty's io_uring
 * transport ({@link NettyEchoServer}, 2 event loops), each in its own JVM,
 * driven by the same load generator in this JVM ({@link NettyEchoLoad}, epoll event loops, by default;
 * {@link EchoClient}, a virtual thread per connection on JDK sockets, with {@code vthreads}). Each round measures
 * every server once, back to back, in alternating order; the ratios are taken round by round and their median
 * printed with their range, so the drift of a shared machine between rounds hits both sides of a ratio alike.
 * Prints, per point and server, round trips/s, p50/p99 and server CPU per round trip of the median round, and
 * the paired ratios against the JDK and against ringloom. Every server JVM first serves the same load for
 * {@link #WARMUP_SECONDS} unmeasured, so the figures are steady state for all (JIT compilation included in none).
 * {@code ringloom-fjp} (the echo sample with its connection threads on the JDK's scheduler) shows what
 * scheduling them on the pollers is worth.
 *
 * <pre>
 * mvn -q -DskipTests package exec:exec -pl benchmarks -am -Dbench="EchoBenchmark [seconds] [rounds]"
 * mvn ... -Dbench="EchoBenchmark 5 5 1000 64 ringloom,ringloom-fjp,jdk,netty"
 * </pre>
 */
public final class EchoBenchmark {
    static final int[] CONNECTIONS = {1, 64, 1000};
    static final int[] SIZES = {64, 4096};
    static final int WARMUP_SECONDS = 3;

    // Usage: EchoBenchmark [seconds] [rounds] [connections,...] [sizes,...]
    //        [servers: a list of ringloom, ringloom-fjp, jdk, netty, c-uring; default ringloom,jdk,netty]
    //        [load generator: epoll (NettyEchoLoad, the default) | vthreads (EchoClient)]

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int roundCount = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        int[] connections = args.length > 2 ? parse(args[2]) : CONNECTIONS;
        int[] sizes = args.length > 3 ? parse(args[3]) : SIZES;
        List<Server> servers = args.length > 4 ? Server.parseList(args[4])
                : List.of(Server.RINGLOOM, Server.JDK, Server.NETTY);
        boolean vthreads = args.length > 5 && args[5].equals("vthreads");
        Load load = vthreads ? EchoClient::load : NettyEchoLoad::load;
        Path jar = Path.of("samples/target/ringloom-samples.jar").toAbsolutePath();
        String java = ProcessHandle.current().info().command().orElse("java");
        System.out.printf("JDK %s, %d cores, kernel %s; %d s per point after a %d s server warm-up, %d rounds;"
                + " rt/s, latencies and cpu of the median round; ratios paired by round: median [min-max]%n",
                Runtime.version(), Runtime.getRuntime().availableProcessors(), System.getProperty("os.version"),
                seconds, WARMUP_SECONDS, roundCount);
        System.out.println("load generator: " + (vthreads ? "EchoClient (virtual thread per connection, JDK sockets)"
                : "NettyEchoLoad (" + NettyEchoLoad.LOOPS + " epoll event loops)"));
        System.out.printf("%-6s %-6s %-13s %12s %19s %19s %17s %8s %8s%n", "conns", "size", "server", "rt/s",
                "vs JDK", "vs ringloom", "p50/p99", "cpu", "load");
        System.out.println("(latencies in us; cpu = server CPU us per round trip; load = this JVM's load generator"
                + " CPU us per round trip; both over the measured window only)");
        // The load generator runs in this JVM: warm it up once, or whichever server goes first pays for its JIT.
        measure(load, java, jar, Server.JDK, 64, 64, 2);
        for (int size : sizes) {
            for (int conns : connections) {
                Map<Server, List<Measured>> rounds = new EnumMap<>(Server.class);
                List<Server> order = new ArrayList<>(servers);
                for (int round = 0; round < roundCount; round++) {
                    for (Server server : order) {
                        rounds.computeIfAbsent(server, k -> new ArrayList<>())
                                .add(measure(load, java, jar, server, conns, size, seconds));
                    }
                    Collections.reverse(order);     // so drift within a round favours no server
                }
                for (Server server : servers) {
                    List<Measured> mine = rounds.get(server);
                    Measured m = median(mine);
                    System.out.printf("%-6d %-6d %-13s %,12.0f %19s %19s %8.0f/%-8.0f %8.1f %8.1f%n", conns, size,
                            server.label, m.r().roundTripsPerSec(), pairedRatio(mine, rounds.get(Server.JDK)),
                            pairedRatio(mine, rounds.get(Server.RINGLOOM)), m.r().p50Micros(), m.r().p99Micros(),
                            m.serverCpuMicrosPerRoundTrip(), m.loadCpuMicrosPerRoundTrip());
                }
            }
        }
    }

    static int[] parse(String csv) {
        return Arrays.stream(csv.split(",")).mapToInt(Integer::parseInt).toArray();
    }

    /** The round with the median round trips/s (the lower middle one for an even count). */
    static Measured median(List<Measured> rounds) {
        List<Measured> sorted = rounds.stream()
                .sorted(Comparator.comparingDouble(m -> m.r().roundTripsPerSec())).toList();
        return sorted.get((sorted.size() - 1) / 2);
    }

    /**
     * The ratio of round trips/s round by round (each round measures both servers back to back), as the median
     * with the lowest and highest: {@code 1.19x [1.11-1.26]}. Pairing by round cancels the drift of a shared
     * machine between rounds, which two independent best-of or median figures would keep.
     */
    static String pairedRatio(List<Measured> a, List<Measured> b) {
        if (b == null) {
            return "-";
        }
        double[] r = new double[a.size()];
        for (int i = 0; i < r.length; i++) {
            r[i] = a.get(i).r().roundTripsPerSec() / b.get(i).r().roundTripsPerSec();
        }
        Arrays.sort(r);
        double median = r.length % 2 == 1 ? r[r.length / 2] : (r[r.length / 2 - 1] + r[r.length / 2]) / 2;
        return String.format("%5.2fx [%.2f-%.2f]", median, r[0], r[r.length - 1]);
    }

    /** The servers compared: how each is started, its label and its port. */
    enum Server {
        /** The echo sample on ringloom, each connection's thread on its socket's poller (one poller per core). */
        RINGLOOM("ringloom", 7300, "--io", "ringloom"),
        /** The same on ringloom with the connection threads on the JDK's scheduler ({@code Thread.ofVirtual()}). */
        RINGLOOM_FJP("ringloom-fjp", 7303, "--io", "ringloom", "--threads", "jdk"),
        /** The echo sample on {@code java.net} sockets, virtual threads on the JDK's scheduler. */
        JDK("jdk", 7301, "--io", "jdk"),
        /** {@link NettyEchoServer}: Netty's io_uring transport, 2 event loops. */
        NETTY("netty", 7302),
        /**
         * {@code benchmarks/src/main/c/uring_echo.c}: a plain single-threaded C liburing echo, the yardstick issue 3
         * names; built on first use with {@code cc} and liburing (Debian: {@code liburing-dev}).
         */
        C_URING("c-uring", 7304);

        final String label;
        final int port;
        final List<String> echoArgs;

        Server(String label, int port, String... echoArgs) {
            this.label = label;
            this.port = port;
            this.echoArgs = List.of(echoArgs);
        }

        /** {@code ringloom,jdk}; also the older {@code true} (with Netty) and {@code false} (without). */
        static List<Server> parseList(String csv) {
            if (csv.equals("true") || csv.equals("false")) {
                return csv.equals("true") ? List.of(RINGLOOM, JDK, NETTY) : List.of(RINGLOOM, JDK);
            }
            List<Server> list = new ArrayList<>();
            for (String name : csv.split(",")) {
                list.add(Arrays.stream(values()).filter(v -> v.label.equals(name)).findFirst().orElseThrow(
                        () -> new IllegalArgumentException("unknown server " + name + ": ringloom, ringloom-fjp,"
                                + " jdk, netty or c-uring")));
            }
            return list;
        }
    }

    /** One server's run: what the client saw, and the CPU per round trip of the server and of this JVM's load. */
    record Measured(EchoClient.Result r, double serverCpuMicrosPerRoundTrip, double loadCpuMicrosPerRoundTrip) {
    }

    /** CPU ticks of the server and of this JVM (the load generator) over exactly the measured window. */
    static final class CpuWindow implements EchoClient.Window {
        private final long serverPid, loadPid;
        long server, load;

        CpuWindow(long serverPid, long loadPid) {
            this.serverPid = serverPid;
            this.loadPid = loadPid;
        }

        @Override
        public void opened() {
            server = -cpuTicks(serverPid);
            load = -cpuTicks(loadPid);
        }

        @Override
        public void closed() {
            server += cpuTicks(serverPid);
            load += cpuTicks(loadPid);
        }
    }

    /** utime + stime of a process, in clock ticks (1/100 s on Linux). */
    static long cpuTicks(long pid) {
        String stat;
        try {
            stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    /** A load generator: {@link EchoClient#load} or {@link NettyEchoLoad#load}. */
    @FunctionalInterface
    interface Load {
        EchoClient.Result run(InetSocketAddress target, int connections, int size, int seconds,
                EchoClient.Window window) throws InterruptedException;
    }

    static Measured measure(Load load, String java, Path jar, Server server, int conns, int size, int seconds)
            throws Exception {
        List<String> cmd = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED",
                "--sun-misc-unsafe-memory-access=allow"));
        // e.g. RINGLOOM_SERVER_OPTS="-Dringloom.pollers=2" to compare ringloom settings in one run
        String extra = System.getenv("RINGLOOM_SERVER_OPTS");
        if ((server == Server.RINGLOOM || server == Server.RINGLOOM_FJP) && extra != null && !extra.isBlank()) {
            cmd.addAll(List.of(extra.trim().split("\\s+")));
        }
        if (server == Server.C_URING) {
            cmd = List.of(cUringEcho().toString(), Integer.toString(server.port));
        } else if (server == Server.NETTY) {
            cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), NettyEchoServer.class.getName(),
                    Integer.toString(server.port), "2"));
        } else {
            cmd.addAll(List.of("-jar", jar.toString(), "echo-server", "--port", Integer.toString(server.port),
                    "--bind", "127.0.0.1"));
            cmd.addAll(server.echoArgs);
        }
        Path log = Path.of("benchmarks/target/echo-" + server.label + ".log").toAbsolutePath();
        Process process = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            InetSocketAddress target = new InetSocketAddress("127.0.0.1", server.port);
            awaitListening(target, process);
            load.run(target, conns, size, WARMUP_SECONDS, EchoClient.Window.NONE);
            CpuWindow cpu = new CpuWindow(process.pid(), ProcessHandle.current().pid());
            EchoClient.Result r;
            try {
                r = load.run(target, conns, size, seconds, cpu);
            } catch (UncheckedIOException e) {
                throw process.isAlive() ? e : new IllegalStateException(server.label + " exited with "
                        + process.exitValue() + "; its output is in " + log, e);
            }
            if (r.mismatches() != 0 || r.failures() != 0) {
                throw new IllegalStateException(server.label + ": " + r);
            }
            double roundTrips = r.roundTripsPerSec() * seconds;
            return new Measured(r, cpu.server * 10_000.0 / roundTrips, cpu.load * 10_000.0 / roundTrips);
        } finally {
            process.destroy();
            process.waitFor();
        }
    }

    /** The C echo's binary, compiled from its source once per build directory. */
    static Path cUringEcho() throws IOException, InterruptedException {
        Path binary = Path.of("benchmarks/target/uring_echo").toAbsolutePath();
        if (!Files.isExecutable(binary)) {
            Process cc = new ProcessBuilder("cc", "-O2", "-o", binary.toString(),
                    Path.of("benchmarks/src/main/c/uring_echo.c").toAbsolutePath().toString(), "-luring")
                    .inheritIO().start();
            if (cc.waitFor() != 0) {
                throw new IllegalStateException("c-uring needs a C compiler and liburing (Debian: liburing-dev)");
            }
        }
        return binary;
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
