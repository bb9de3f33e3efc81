package dev.ringloom.benchmarks;


import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
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
 * driven by the same load generator ({@link CEpollLoad}, a C epoll client in a child process, by default: the one
 * in which the C liburing echo shows the room above the JDK that issue 3 names; {@link NettyEchoLoad}, epoll event
 * loops in this JVM, with {@code epoll}; {@link EchoClient}, a virtual thread per connection on JDK sockets, with
 * {@code vthreads}). Each round measures
 * every server once, back to back, in alternating order; the ratios are taken round by round and their median
 * printed with their range, so the drift of a shared machine between rounds hits both sides of a ratio alike.
 * Prints, per point and server, round trips/s, p50/p99 and server CPU per round trip of the median round, and
 * the paired ratios against the JDK and against ringloom. Every server JVM first serves the same load
 * {@link #WARMUP_LOADS} times for {@link #WARMUP_SECONDS} each, unmeasured, so the figures are steady state for all
 * (JIT compilation included in none). Several short loads rather than one long one, because what settles a
 * thread-per-connection server is churn, not time: each time its connections close (most in a reset: the load
 * generator closes with a reply unread), code compiled while none had closed meets a never-taken exit path (an end
 * of stream, a reset's exception handler), the JIT throws that code away, and the threads of the connections opened
 * next begin in the interpreter and stay there for seconds (a frame leaves it only through on-stack replacement,
 * one thread at a time). Measured on the one-poller sample, three churns passed before its round trips settled
 * (BENCHMARKS.md, "The first loads after a churn"; {@code -Dbench.warmupLoads=1} shows the transient).
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
    static final int WARMUP_SECONDS = Integer.getInteger("bench.warmupSeconds", 2);
    static final int WARMUP_LOADS = Integer.getInteger("bench.warmupLoads", 4);

    // Usage: EchoBenchmark [seconds] [rounds] [connections,...] [sizes,...]
    //        [servers: a list of ringloom, ringloom-1, ringloom-fjp, ringloom-alt, jdk, netty, netty-1, c-uring;
    //         default ringloom,jdk,netty]
    //        [load generator: c-epoll[:THREADS] (CEpollLoad, a C child process, 1 thread unless told; the default)
    //                         | epoll (NettyEchoLoad) | vthreads (EchoClient)]
    //        -Dbench.pin=server:0,load:1 (mvn: -DbenchJvm=...) runs each server and the C load under taskset

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int roundCount = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        int[] connections = args.length > 2 ? parse(args[2]) : CONNECTIONS;
        int[] sizes = args.length > 3 ? parse(args[3]) : SIZES;
        List<Server> servers = args.length > 4 ? Server.parseList(args[4])
                : List.of(Server.RINGLOOM, Server.JDK, Server.NETTY);
        String loadName = args.length > 5 ? args[5] : "c-epoll";
        // the second ratio column: against the first ringloom server listed (ringloom itself if it is there)
        Server base = servers.contains(Server.RINGLOOM) ? Server.RINGLOOM : servers.stream()
                .filter(s -> s.label.startsWith("ringloom")).findFirst().orElse(Server.RINGLOOM);
        CEpollLoad cLoad = loadName.startsWith("c-epoll") ? new CEpollLoad(loadName.equals("c-epoll") ? 1
                : Integer.parseInt(loadName.substring("c-epoll:".length()))) : null;
        Load load = cLoad != null ? cLoad::load : switch (loadName) {
            case "epoll" -> inThisJvm(NettyEchoLoad::load);
            case "vthreads" -> inThisJvm(EchoClient::load);
            default -> throw new IllegalArgumentException("load generator " + loadName
                    + ": epoll, vthreads, c-epoll or c-epoll:THREADS");
        };
        Path jar = Path.of("samples/target/ringloom-samples.jar").toAbsolutePath();
        String java = ProcessHandle.current().info().command().orElse("java");
        System.out.printf("JDK %s, %d cores, kernel %s; %d s per point after %d server warm-up load(s) of %d s,"
                + " %d rounds; rt/s, latencies and cpu of the median round; ratios paired by round: median [min-max]%n",
                Runtime.version(), Runtime.getRuntime().availableProcessors(), System.getProperty("os.version"),
                seconds, WARMUP_LOADS, WARMUP_SECONDS, roundCount);
        System.out.println("load generator: " + (cLoad != null ? "epoll_load.c (C on epoll, " + cLoad.threads()
                + " thread(s))" : loadName.equals("vthreads") ? "EchoClient (virtual thread per connection, JDK sockets)"
                : "NettyEchoLoad (" + NettyEchoLoad.LOOPS + " epoll event loops)"));
        if (!CpuPinning.describe().isEmpty()) {
            System.out.println(CpuPinning.describe());
        }
        System.out.printf("%-6s %-6s %-13s %12s %19s %19s %17s %8s %6s %8s%n", "conns", "size", "server", "rt/s",
                "vs JDK", "vs " + base.label, "p50/p99", "cpu", "usr%", "load");
        System.out.println("(latencies in us; cpu = server CPU us per round trip, usr% = its share in user space;"
                + " load = the load generator's CPU us per round trip; all over the measured window only)");
        // A load generator in this JVM is warmed up once, or whichever server goes first pays for its JIT.
        if (cLoad == null) {
            measure(load, java, jar, Server.JDK, 64, 64, 2);
        }
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
                    System.out.printf("%-6d %-6d %-13s %,12.0f %19s %19s %8.0f/%-8.0f %8.1f %6.0f %8.1f%n", conns,
                            size, server.label, m.r().roundTripsPerSec(), pairedRatio(mine, rounds.get(Server.JDK)),
                            pairedRatio(mine, rounds.get(base)), m.r().p50Micros(), m.r().p99Micros(),
                            m.serverCpuMicrosPerRoundTrip(), 100 * m.serverUserShare(), m.loadCpuMicrosPerRoundTrip());
                }
            }
        }
    }

    static int[] parse(String csv) {
        return Arrays.stream(csv.split(",")).mapToInt(Integer::parseInt).toArray();
    }

    /** The round with the median round trips/s (the lower middle one for an even count). */
    static Measured median(List<Measured> rounds) {
        return rounds.get(medianRound(roundTripsPerSec(rounds)));
    }

    /** The index of the round with the median figure (the lower middle one for an even count). */
    static int medianRound(double[] perRound) {
        Integer[] order = new Integer[perRound.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingDouble(i -> perRound[i]));
        return order[(order.length - 1) / 2];
    }

    private static double[] roundTripsPerSec(List<Measured> rounds) {
        return rounds.stream().mapToDouble(m -> m.r().roundTripsPerSec()).toArray();
    }

    /**
     * The ratio of round trips/s round by round (each round measures both servers back to back), as the median
     * with the lowest and highest: {@code 1.19x [1.11-1.26]}. Pairing by round cancels the drift of a shared
     * machine between rounds, which two independent best-of or median figures would keep.
     */
    static String pairedRatio(List<Measured> a, List<Measured> b) {
        return b == null ? "-" : pairedRatio(roundTripsPerSec(a), roundTripsPerSec(b));
    }

    /** {@link #pairedRatio(List, List)} of two figures per round. */
    static String pairedRatio(double[] a, double[] b) {
        double[] r = new double[a.length];
        for (int i = 0; i < r.length; i++) {
            r[i] = a[i] / b[i];
        }
        Arrays.sort(r);
        double median = r.length % 2 == 1 ? r[r.length / 2] : (r[r.length / 2 - 1] + r[r.length / 2]) / 2;
        return String.format("%5.2fx [%.2f-%.2f]", median, r[0], r[r.length - 1]);
    }

    /** The servers compared: how each is started, its label and its port. */
    enum Server {
        /** The echo sample on ringloom, each connection's thread on its socket's poller (one poller per core). */
        RINGLOOM("ringloom", 7300, "--io", "ringloom"),
        /**
         * The echo sample with one poller ({@code -Dringloom.pollers=1}): on two cores shared with the load
         * generator, one event loop often beats two, for ringloom as for Netty.
         */
        RINGLOOM_1("ringloom-1", 7308, "--io", "ringloom"),
        /** The same on ringloom with the connection threads on the JDK's scheduler ({@code Thread.ofVirtual()}). */
        RINGLOOM_FJP("ringloom-fjp", 7303, "--io", "ringloom", "--threads", "jdk"),
        /**
         * The ringloom echo again, with the JVM options in {@code RINGLOOM_ALT_OPTS} (say
         * {@code -Dringloom.pollers=1}) and the sample's options in {@code RINGLOOM_ALT_ARGS} (say
         * {@code --threads jdk}), or another build's sample jar in {@code RINGLOOM_ALT_JAR}: an A/B of a setting or a
         * build, paired round by round like every other server.
         */
        RINGLOOM_ALT("ringloom-alt", 7305, "--io", "ringloom"),
        /**
         * The ringloom echo reading with a copy into a 16 KiB buffer of each connection's own ({@code --reads copy}),
         * as it did before the zero-copy reader: what the reader and the send from the received buffer are worth.
         */
        RINGLOOM_COPY("ringloom-copy", 7306, "--io", "ringloom", "--reads", "copy"),
        /** The echo sample on {@code java.net} sockets, virtual threads on the JDK's scheduler. */
        JDK("jdk", 7301, "--io", "jdk"),
        /** {@link NettyEchoServer}: Netty's io_uring transport, 2 event loops. */
        NETTY("netty", 7302),
        /** The same with 1 event loop: on two cores shared with the load generator, often Netty's best. */
        NETTY_1("netty-1", 7307),
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
                        () -> new IllegalArgumentException("unknown server " + name + ": ringloom, ringloom-1,"
                                + " ringloom-fjp, ringloom-alt, ringloom-copy, jdk, netty, netty-1 or c-uring")));
            }
            return list;
        }
    }

    /**
     * One server's run: what the client saw, the server's CPU per round trip and the share of it in user space,
     * and the load generator's CPU per round trip.
     */
    record Measured(EchoClient.Result r, double serverCpuMicrosPerRoundTrip, double serverUserShare,
            double loadCpuMicrosPerRoundTrip) {
    }

    /** One load run: what the client saw, and the load generator's own CPU over the measured window. */
    record LoadRun(EchoClient.Result r, long cpuMicros) {
    }

    /** CPU ticks of a process (user, and user + system) over exactly the measured window. */
    static final class CpuWindow implements EchoClient.Window {
        private final long pid;
        long user, total;

        CpuWindow(long pid) {
            this.pid = pid;
        }

        @Override
        public void opened() {
            long[] t = cpuTicks(pid);
            user = -t[0];
            total = -t[0] - t[1];
        }

        @Override
        public void closed() {
            long[] t = cpuTicks(pid);
            user += t[0];
            total += t[0] + t[1];
        }
    }

    /** {utime, stime} of a process, in clock ticks (1/100 s on Linux). */
    static long[] cpuTicks(long pid) {
        String stat;
        try {
            stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return new long[]{Long.parseLong(f[11]), Long.parseLong(f[12])};
    }

    /** A load generator: {@link CEpollLoad#load}, or one running in this JVM ({@link #inThisJvm}). */
    @FunctionalInterface
    interface Load {
        LoadRun run(InetSocketAddress target, int connections, int size, int seconds, EchoClient.Window window)
                throws InterruptedException;
    }

    /** A load generator in this JVM: {@link EchoClient#load} or {@link NettyEchoLoad#load}. */
    @FunctionalInterface
    interface InJvmLoad {
        EchoClient.Result run(InetSocketAddress target, int connections, int size, int seconds,
                EchoClient.Window window) throws InterruptedException;
    }

    /** {@code load} with this JVM's CPU sampled over its measured window. */
    static Load inThisJvm(InJvmLoad load) {
        return (target, connections, size, seconds, window) -> {
            CpuWindow own = new CpuWindow(ProcessHandle.current().pid());
            EchoClient.Result r = load.run(target, connections, size, seconds, new EchoClient.Window() {
                @Override
                public void opened() {
                    own.opened();
                    window.opened();
                }

                @Override
                public void closed() {
                    window.closed();
                    own.closed();
                }
            });
            return new LoadRun(r, own.total * 10_000L);
        };
    }

    static Measured measure(Load load, String java, Path jar, Server server, int conns, int size, int seconds)
            throws Exception {
        Path log = Path.of("benchmarks/target/echo-" + server.label + ".log").toAbsolutePath();
        Process process = start(java, jar, server, log);
        try {
            InetSocketAddress target = new InetSocketAddress("127.0.0.1", server.port);
            awaitListening(target, process);
            for (int w = 0; w < WARMUP_LOADS; w++) {
                load.run(target, conns, size, WARMUP_SECONDS, EchoClient.Window.NONE);
            }
            CpuWindow cpu = new CpuWindow(process.pid());
            LoadRun run;
            try {
                run = load.run(target, conns, size, seconds, cpu);
            } catch (UncheckedIOException e) {
                throw process.isAlive() ? e : new IllegalStateException(server.label + " exited with "
                        + process.exitValue() + "; its output is in " + log, e);
            }
            EchoClient.Result r = run.r();
            if (r.mismatches() != 0 || r.failures() != 0) {
                throw new IllegalStateException(server.label + ": " + r);
            }
            double roundTrips = r.roundTripsPerSec() * seconds;
            return new Measured(r, cpu.total * 10_000.0 / roundTrips, cpu.user / (double) Math.max(1, cpu.total),
                    run.cpuMicros() / roundTrips);
        } finally {
            process.destroy();
            process.waitFor();
            awaitPortReleased(server.port);
        }
    }

    /** Starts {@code server} in a process of its own (extra {@code args} for the echo sample), output to {@code log}. */
    static Process start(String java, Path jar, Server server, Path log, String... args) throws IOException,
            InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED",
                "--sun-misc-unsafe-memory-access=allow"));
        // e.g. RINGLOOM_SERVER_OPTS="-Dringloom.pollers=1" for every ringloom server, RINGLOOM_ALT_OPTS for
        // ringloom-alt alone (to compare a setting with the default in one run)
        String extra = System.getenv(server == Server.RINGLOOM_ALT ? "RINGLOOM_ALT_OPTS" : "RINGLOOM_SERVER_OPTS");
        if (server.label.startsWith("ringloom") && extra != null && !extra.isBlank()) {
            cmd.addAll(List.of(extra.trim().split("\\s+")));
        }
        if (server == Server.RINGLOOM_1) {
            cmd.add("-Dringloom.pollers=1");
        }
        if (server == Server.C_URING) {
            cmd = List.of(cUringEcho().toString(), Integer.toString(server.port));
        } else if (server == Server.NETTY || server == Server.NETTY_1) {
            cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), NettyEchoServer.class.getName(),
                    Integer.toString(server.port), server == Server.NETTY ? "2" : "1"));
        } else {
            String altJar = System.getenv("RINGLOOM_ALT_JAR");      // another build's sample jar: an A/B of builds
            Path serverJar = server == Server.RINGLOOM_ALT && altJar != null && !altJar.isBlank() ? Path.of(altJar) : jar;
            cmd.addAll(List.of("-jar", serverJar.toString(), "echo-server", "--port", Integer.toString(server.port),
                    "--bind", "127.0.0.1"));
            cmd.addAll(server.echoArgs);
            String altArgs = System.getenv("RINGLOOM_ALT_ARGS");   // e.g. "--threads jdk": the sample's own options
            if (server == Server.RINGLOOM_ALT && altArgs != null && !altArgs.isBlank()) {
                cmd.addAll(List.of(altArgs.trim().split("\\s+")));
            }
            cmd.addAll(List.of(args));
        }
        return new ProcessBuilder(CpuPinning.apply("server", cmd)).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
    }

    /**
     * Waits until nothing listens on {@code port} any more. A ring's multishot accept keeps its listening socket
     * open until the kernel tears the ring down, after the process exited; the next server's start would otherwise
     * be confirmed by the dying one's socket, whose queued connections are then reset.
     */
    static void awaitPortReleased(int port) throws InterruptedException {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (System.nanoTime() < deadline) {
            try (ServerSocket probe = new ServerSocket()) {
                probe.setReuseAddress(true);
                probe.bind(new InetSocketAddress("127.0.0.1", port));
                return;
            } catch (IOException stillBound) {
                Thread.sleep(25);
            }
        }
        throw new IllegalStateException("port " + port + " is still in use 20 s after its server exited");
    }

    /** The C echo's binary, compiled from its source once per build directory. */
    static Path cUringEcho() throws IOException, InterruptedException {
        return compiled("uring_echo", "-luring");
    }

    /**
     * {@code benchmarks/target/NAME}, compiled from {@code benchmarks/src/main/c/NAME.c} with {@code cc} unless it
     * is there already and newer than its source.
     */
    static Path compiled(String name, String library) throws IOException, InterruptedException {
        Path binary = Path.of("benchmarks/target/" + name).toAbsolutePath();
        Path source = Path.of("benchmarks/src/main/c/" + name + ".c").toAbsolutePath();
        if (!Files.isExecutable(binary)
                || Files.getLastModifiedTime(source).compareTo(Files.getLastModifiedTime(binary)) > 0) {
            Process cc = new ProcessBuilder("cc", "-O2", "-o", binary.toString(), source.toString(), library)
                    .inheritIO().start();
            if (cc.waitFor() != 0) {
                throw new IllegalStateException(name + " needs a C compiler" + (library.equals("-luring")
                        ? " and liburing (Debian: liburing-dev)" : ""));
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
