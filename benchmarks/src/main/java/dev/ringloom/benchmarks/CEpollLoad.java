package dev.ringloom.benchmarks;


import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The leanest load generator of {@link EchoBenchmark}: {@code benchmarks/src/main/c/epoll_load.c}, the same
 * ping-pong and checks as {@link NettyEchoLoad} in C on epoll, on one or more threads, run as a child process
 * and built on first use with {@code cc}. It reports its own CPU over the measured window, and tells this JVM
 * when that window opens and closes, so the server's CPU is sampled over the same round trips.
 *
 * <p>Why: round trips/s on two shared cores are bounded by (server + load) CPU per round trip, and a load in the
 * benchmark's JVM shares that JVM with the benchmark's own threads. This one has no runtime of its own: per round
 * trip a read, a write and a share of an {@code epoll_wait} (measured: 7–8 us per round trip against
 * {@link NettyEchoLoad}'s 8.4–9.1 us, mostly the kernel's TCP work). Its thread count sets the shape of the load:
 * one thread sends each burst of messages from one core, two spread them over both. One {@link #load} at a time.
 */
final class CEpollLoad {
    /** Threads of the load generator, each with its own epoll and a share of the connections. */
    private final int threads;

    CEpollLoad(int threads) {
        if (threads <= 0) {
            throw new IllegalArgumentException("threads must be positive: " + threads);
        }
        this.threads = threads;
    }

    int threads() {
        return threads;
    }

    EchoBenchmark.LoadRun load(InetSocketAddress target, int connections, int size, int seconds,
            EchoClient.Window window) {
        try {
            Process p = new ProcessBuilder(CpuPinning.apply("load", List.of(binary().toString(),
                    target.getHostString(), Integer.toString(target.getPort()), Integer.toString(connections),
                    Integer.toString(size), Integer.toString(seconds), Integer.toString(threads))))
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            String result = null;
            try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.US_ASCII))) {
                for (String line; (line = out.readLine()) != null; ) {
                    switch (line.split(" ")[0]) {
                        case "open" -> window.opened();
                        case "close" -> window.closed();
                        case "result" -> result = line;
                        default -> throw new IllegalStateException("epoll_load: " + line);
                    }
                }
            }
            p.waitFor();
            if (result == null) {
                throw new UncheckedIOException(new IOException("epoll_load exited with " + p.exitValue()
                        + " and no result"));
            }
            String[] f = result.split(" ");
            EchoClient.Result r = new EchoClient.Result(Double.parseDouble(f[1]), Double.parseDouble(f[2]),
                    Double.parseDouble(f[3]), Long.parseLong(f[4]), Long.parseLong(f[5]));
            return new EchoBenchmark.LoadRun(r, Long.parseLong(f[6]));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The load generator's binary, compiled from its source once per build directory. */
    static synchronized Path binary() throws IOException, InterruptedException {
        return EchoBenchmark.compiled("epoll_load", "-pthread");
    }
}
