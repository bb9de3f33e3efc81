package dev.ringloom.benchmarks;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What an idle connection costs an echo server: each server in a process of its own, {@code N} connections opened
 * to it from this JVM, each doing one 64-byte round trip (so its thread ran and read once) and then holding still.
 * Prints the server's resident set growth per connection — whole process, {@code VmRSS} after a warm-up round of
 * the same size that was closed again, so heap and code that the first connections grow are not charged to idle
 * ones — and, for ringloom, the provided receive buffers the idle connections hold (its {@code --stats} line).
 * Also the live heap an idle connection holds, because the RSS moves with where the collector's young generation
 * happens to be (whether the connections' garbage fell on pages it had touched before): the heap's {@code used}
 * after a full collection ({@code jcmd GC.run}) with the connections open, less the same after they closed.
 *
 * <pre>
 * mvn -q -DskipTests package exec:exec -pl benchmarks -am -Dbench="IdleConnections [connections] [servers]"
 * mvn ... -Dbench="IdleConnections 10000 ringloom,ringloom-copy,jdk,netty"
 * </pre>
 */
public final class IdleConnections {
    private IdleConnections() {
    }

    public static void main(String[] args) throws Exception {
        int connections = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        List<EchoBenchmark.Server> servers = args.length > 1 ? EchoBenchmark.Server.parseList(args[1])
                : List.of(EchoBenchmark.Server.RINGLOOM, EchoBenchmark.Server.RINGLOOM_COPY, EchoBenchmark.Server.JDK,
                EchoBenchmark.Server.NETTY);
        Path jar = Path.of("samples/target/ringloom-samples.jar").toAbsolutePath();
        String java = ProcessHandle.current().info().command().orElse("java");
        System.out.printf("JDK %s, %d cores, kernel %s; %,d idle connections per server, each after one 64-byte"
                + " round trip%n", Runtime.version(), Runtime.getRuntime().availableProcessors(),
                System.getProperty("os.version"), connections);
        System.out.printf("%-14s %14s %14s %16s %16s%n", "server", "RSS before", "RSS idle", "RSS per conn",
                "live heap/conn");
        for (EchoBenchmark.Server server : servers) {
            measure(java, jar, server, connections);
        }
    }

    private static void measure(String java, Path jar, EchoBenchmark.Server server, int connections)
            throws Exception {
        Path log = Path.of("benchmarks/target/idle-" + server.label + ".log").toAbsolutePath();
        boolean ringloom = server.label.startsWith("ringloom");
        Process p = ringloom ? EchoBenchmark.start(java, jar, server, log, "--stats", "true")
                : EchoBenchmark.start(java, jar, server, log);
        try {
            InetSocketAddress target = new InetSocketAddress("127.0.0.1", server.port);
            EchoBenchmark.awaitListening(target, p);
            closeAll(open(target, connections));            // warm-up: the same count, closed again
            settle();
            long before = rssKiB(p.pid());
            List<SocketChannel> idle = open(target, connections);
            settle();
            long after = rssKiB(p.pid());
            String held = ringloom ? ", receive buffers held by idle connections: " + lastBuffersHeld(log) : "";
            long usedIdle = heapUsedAfterFullGc(java, p.pid());
            closeAll(idle);
            settle();
            long usedClosed = heapUsedAfterFullGc(java, p.pid());
            String heap = usedIdle < 0 || usedClosed < 0 ? "-"
                    : String.format("%.2f KiB", (usedIdle - usedClosed) / (double) connections);
            System.out.printf("%-14s %,11d KiB %,11d KiB %12.2f KiB %16s%s%n", server.label, before, after,
                    (after - before) / (double) connections, heap, held);
        } finally {
            p.destroy();
            p.waitFor();
            EchoBenchmark.awaitPortReleased(server.port);
        }
    }

    /** {@code n} connections, each after one 64-byte round trip checked byte for byte. */
    private static List<SocketChannel> open(InetSocketAddress target, int n) throws IOException {
        List<SocketChannel> all = new ArrayList<>(n);
        ByteBuffer out = ByteBuffer.allocate(64), in = ByteBuffer.allocate(64);
        for (int i = 0; i < n; i++) {
            SocketChannel c = SocketChannel.open(target);
            c.setOption(StandardSocketOptions.TCP_NODELAY, true);
            all.add(c);
            out.clear();
            while (out.hasRemaining()) {
                out.put((byte) (i + out.position()));
            }
            c.write(out.flip());
            in.clear();
            while (in.hasRemaining()) {
                if (c.read(in) < 0) {
                    throw new IOException("connection " + i + " closed by the server");
                }
            }
            if (!in.flip().equals(out.rewind())) {
                throw new IllegalStateException("connection " + i + ": the echo differs");
            }
        }
        return all;
    }

    private static void closeAll(List<SocketChannel> all) throws IOException {
        for (SocketChannel c : all) {
            c.close();
        }
    }

    /**
     * A full collection in JVM {@code pid} ({@code jcmd GC.run}), then its heap's {@code used}, in KiB; -1 if it is
     * no JVM (the C server) or jcmd failed.
     */
    private static long heapUsedAfterFullGc(String java, long pid) throws IOException, InterruptedException {
        Path jcmd = Path.of(java).resolveSibling("jcmd");
        if (!Files.isExecutable(jcmd) || ProcessHandle.of(pid).flatMap(h -> h.info().command())
                .map(c -> !c.endsWith("java")).orElse(true)) {
            return -1;
        }
        if (new ProcessBuilder(jcmd.toString(), Long.toString(pid), "GC.run").redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor() != 0) {
            return -1;
        }
        Thread.sleep(1000);
        Process info = new ProcessBuilder(jcmd.toString(), Long.toString(pid), "GC.heap_info").redirectErrorStream(true)
                .start();
        String out = new String(info.getInputStream().readAllBytes());
        info.waitFor();
        Matcher used = Pattern.compile("used (\\d+)K").matcher(out);
        return used.find() ? Long.parseLong(used.group(1)) : -1;
    }

    /** Lets the server's threads park and its GC settle (RSS is sampled, not forced). */
    private static void settle() throws InterruptedException {
        Thread.sleep(3000);
    }

    private static long rssKiB(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D+", ""));
            }
        }
        throw new IOException("no VmRSS for " + pid);
    }

    /** The last {@code receive buffers held} figure the ringloom echo's {@code --stats} printed. */
    private static String lastBuffersHeld(Path log) throws IOException {
        String last = "?";
        for (String line : Files.readAllLines(log)) {
            int at = line.indexOf("receive buffers held ");
            if (at >= 0) {
                last = line.substring(at + "receive buffers held ".length()).trim();
            }
        }
        return last;
    }
}
