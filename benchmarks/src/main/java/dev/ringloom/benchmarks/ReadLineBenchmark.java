package dev.ringloom.benchmarks;

import dev.ringloom.runtime.RingFile;
import dev.ringloom.runtime.RingReader;
import dev.ringloom.runtime.RingSocket;
import dev.ringloom.runtime.Ringloom;

import dev.ringloom.io.RingInputStream;
import dev.ringloom.io.RingSocketFactory;

import javax.net.SocketFactory;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

import static java.nio.charset.StandardCharsets.UTF_8;

/**
 * {@code readLine} over a large text stream: {@link RingReader#readLine} against the JDK's {@link BufferedReader},
 * from a file in the page cache and from a loopback socket that a sender thread streams the same file into, in the
 * same JVM, alternating, on a virtual thread each; then the drop-in: one {@code BufferedReader} over ringloom's
 * {@code java.io} streams ({@link RingInputStream}, a {@link RingSocketFactory} socket's) against the same over
 * {@code FileInputStream} and a {@code java.net.Socket}. Lines are 1 to 120 ASCII characters. Prints lines/s and the
 * paired ratio per round; every run must see the same line count and character sum, or it fails.
 *
 * <pre>
 * mvn -q -DskipTests package exec:exec -pl benchmarks -am -Dbench="ReadLineBenchmark [MiB] [rounds]"
 * </pre>
 */
public final class ReadLineBenchmark {
    private ReadLineBenchmark() {
    }

    /** Lines read and the sum of their lengths: the two readers must agree. */
    record Count(long lines, long chars, long nanos) {
    }

    interface Run {
        Count run() throws Exception;
    }

    public static void main(String[] args) throws Exception {
        long mib = args.length > 0 ? Long.parseLong(args[0]) : 1024;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        Path file = Path.of("benchmarks/target/lines-" + mib + "m.txt").toAbsolutePath();
        if (!Files.exists(file) || Files.size(file) < mib << 20) {
            write(file, mib << 20);
        }
        System.out.printf("JDK %s, %d cores, kernel %s; readLine over %d MiB of text, %d rounds%n",
                Runtime.version(), Runtime.getRuntime().availableProcessors(), System.getProperty("os.version"), mib,
                rounds);
        try (Ringloom ring = Ringloom.open()) {
            System.out.println("ringloom backend: " + ring.backendName());
            compare("file", rounds, () -> ringFile(ring, file), () -> jdkFile(file));
            compare("socket", rounds, () -> ringSocket(ring, file), () -> jdkSocket(file));
            // The drop-in: the same BufferedReader over ringloom's java.io streams and over the JDK's.
            compare("file-stream", rounds, () -> streamFile(new RingInputStream(ring.openFile(file))),
                    () -> streamFile(new FileInputStream(file.toFile())));
            compare("socket-stream", rounds, () -> streamSocket(RingSocketFactory.of(ring), file),
                    () -> streamSocket(SocketFactory.getDefault(), file));
        }
    }

    private static void compare(String what, int rounds, Run ringloom, Run jdk) throws Exception {
        onVirtualThread(jdk);                           // warm-up, both, unmeasured
        onVirtualThread(ringloom);
        for (int round = 1; round <= rounds; round++) {
            Count j = onVirtualThread(jdk), r = onVirtualThread(ringloom);
            if (j.lines() != r.lines() || j.chars() != r.chars()) {
                throw new IllegalStateException(what + ": the readers disagree: " + j + " vs " + r);
            }
            System.out.printf("%-13s round %d: ringloom %,.0f lines/s, JDK %,.0f lines/s: %.2fx%n",
                    what, round, perSec(r), perSec(j), perSec(r) / perSec(j));
        }
    }

    private static double perSec(Count c) {
        return c.lines() * 1e9 / c.nanos();
    }

    private static Count onVirtualThread(Run run) throws Exception {
        return OnThread.call(Thread.ofVirtual(), run::run);
    }

    private static Count ringFile(Ringloom ring, Path file) throws IOException {
        long start = System.nanoTime();
        try (RingFile f = ring.openFile(file)) {
            return count(f.reader(), start);
        }
    }

    private static Count jdkFile(Path file) throws IOException {
        long start = System.nanoTime();
        try (BufferedReader in = Files.newBufferedReader(file, UTF_8)) {
            return count(in, start);
        }
    }

    private static Count ringSocket(Ringloom ring, Path file) throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread sender = sender(server, file);
            long start = System.nanoTime();
            try (RingSocket s = ring.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(),
                    server.getLocalPort()))) {
                Count c = count(s.reader(), start);
                sender.join();
                return c;
            }
        }
    }

    private static Count jdkSocket(Path file) throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread sender = sender(server, file);
            long start = System.nanoTime();
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
                 BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), UTF_8))) {
                Count c = count(in, start);
                sender.join();
                return c;
            }
        }
    }

    private static Count streamFile(InputStream stream) throws IOException {
        long start = System.nanoTime();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(stream, UTF_8))) {
            return count(in, start);
        }
    }

    private static Count streamSocket(SocketFactory sockets, Path file) throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread sender = sender(server, file);
            long start = System.nanoTime();
            try (Socket s = sockets.createSocket(InetAddress.getLoopbackAddress(), server.getLocalPort());
                 BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), UTF_8))) {
                Count c = count(in, start);
                sender.join();
                return c;
            }
        }
    }

    /** Streams {@code file} to the one connection {@code server} accepts, then closes it. */
    private static Thread sender(ServerSocket server, Path file) {
        return Thread.ofPlatform().start(() -> {
            try (Socket s = server.accept(); FileChannel in = FileChannel.open(file)) {
                var out = Channels.newChannel(s.getOutputStream());
                long size = in.size();
                for (long at = 0; at < size; ) {
                    at += in.transferTo(at, size - at, out);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    private static Count count(RingReader in, long start) throws IOException {
        long lines = 0, chars = 0;
        String line;
        while ((line = in.readLine(UTF_8)) != null) {
            lines++;
            chars += line.length();
        }
        return new Count(lines, chars, System.nanoTime() - start);
    }

    private static Count count(BufferedReader in, long start) throws IOException {
        long lines = 0, chars = 0;
        String line;
        while ((line = in.readLine()) != null) {
            lines++;
            chars += line.length();
        }
        return new Count(lines, chars, System.nanoTime() - start);
    }

    private static void write(Path file, long bytes) throws IOException {
        Files.createDirectories(file.getParent());
        SplittableRandom rnd = new SplittableRandom(42);
        char[] line = new char[121];
        try (BufferedWriter out = Files.newBufferedWriter(file, UTF_8)) {
            for (long written = 0; written < bytes; ) {
                int n = 1 + rnd.nextInt(120);
                for (int i = 0; i < n; i++) {
                    line[i] = (char) (' ' + rnd.nextInt(95));
                }
                line[n] = '\n';
                out.write(line, 0, n + 1);
                written += n + 1;
            }
        }
    }
}
