package dev.ringloom.benchmarks;

import dev.ringloom.io.RingInputStream;
import dev.ringloom.io.RingOutputStream;
import dev.ringloom.runtime.Ringloom;

import dev.ringloom.io.RingSocketFactory;

import javax.net.SocketFactory;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.io.FileOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.SplittableRandom;

import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.TRUNCATE_EXISTING;
import static java.nio.file.StandardOpenOption.WRITE;

/**
 * {@code InputStream.transferTo} from a page-cached file into another file — ringloom's streams against
 * {@code FileInputStream.transferTo(FileOutputStream)}, which the JDK turns into an in-kernel copy
 * ({@code FileChannel.transferTo}) — and into a loopback socket (a {@code RingSocketFactory} socket against a
 * {@code java.net.Socket}; the JDK copies through a 16 KiB buffer there), same JVM, alternating, on a virtual
 * thread. Prints MiB/s and the ratio.
 *
 * <pre>mvn -q -DskipTests package exec:exec -pl benchmarks -am -Dbench="TransferToBenchmark [MiB] [rounds]"</pre>
 */
public final class TransferToBenchmark {
    private TransferToBenchmark() {
    }

    /** One copy; returns the bytes that arrived (the target file's size, or what the socket's peer received). */
    interface Copy {
        long run(Path from, Path to) throws Exception;
    }

    public static void main(String[] args) throws Exception {
        int mib = args.length > 0 ? Integer.parseInt(args[0]) : 256;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        Path dir = Files.createDirectories(Path.of("benchmarks/target/transfer").toAbsolutePath());
        Path src = dir.resolve("src.bin"), dst = dir.resolve("dst.bin");
        byte[] chunk = new byte[1 << 20];
        new SplittableRandom(1).nextBytes(chunk);
        try (OutputStream out = Files.newOutputStream(src)) {
            for (int i = 0; i < mib; i++) {
                out.write(chunk);
            }
        }
        System.out.printf("JDK %s, %d cores, kernel %s; transferTo of a %d MiB cached file into a file%n",
                Runtime.version(), Runtime.getRuntime().availableProcessors(), System.getProperty("os.version"), mib);
        try (Ringloom ring = Ringloom.open()) {
            System.out.println("ringloom backend: " + ring.backendName());
            Copy jdk = (from, to) -> {
                try (InputStream in = new FileInputStream(from.toFile());
                     OutputStream out = new FileOutputStream(to.toFile())) {
                    in.transferTo(out);
                }
                return Files.size(to);
            };
            Copy ours = (from, to) -> {
                try (InputStream in = new RingInputStream(ring.openFile(from));
                     OutputStream out = new RingOutputStream(ring.openFile(to, WRITE, CREATE, TRUNCATE_EXISTING))) {
                    in.transferTo(out);
                }
                return Files.size(to);
            };
            compare("file", rounds, jdk, ours, src, dst, mib);
            Copy jdkSocket = (from, to) -> toSocket(new FileInputStream(from.toFile()), SocketFactory.getDefault(), to);
            Copy ourSocket = (from, to) -> toSocket(new RingInputStream(ring.openFile(from)), RingSocketFactory.of(ring),
                    to);
            compare("socket", rounds, jdkSocket, ourSocket, src, dst, mib);
        } finally {
            Files.deleteIfExists(src);
            Files.deleteIfExists(dst);
        }
    }

    private static void compare(String what, int rounds, Copy jdk, Copy ours, Path src, Path dst, int mib)
            throws Exception {
        time(jdk, src, dst, mib);
        time(ours, src, dst, mib);
        for (int r = 1; r <= rounds; r++) {
            double j = time(jdk, src, dst, mib), o = time(ours, src, dst, mib);
            System.out.printf(Locale.ROOT, "into a %-6s round %d: ringloom %,.0f MiB/s, JDK %,.0f MiB/s: %.2fx%n",
                    what, r, o, j, o / j);
        }
    }

    /**
     * The file into a loopback socket whose peer (a JDK socket on a platform thread) drains it in 1 MiB reads;
     * returns what the peer received.
     */
    private static long toSocket(InputStream in, SocketFactory sockets, Path to) throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            long[] received = new long[1];
            Thread drain = Thread.ofPlatform().start(() -> {
                try (Socket s = server.accept()) {
                    byte[] sink = new byte[1 << 20];
                    for (int n; (n = s.getInputStream().read(sink)) > 0; ) {
                        received[0] += n;
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            try (in; Socket s = sockets.createSocket(InetAddress.getLoopbackAddress(), server.getLocalPort())) {
                in.transferTo(s.getOutputStream());
            }
            drain.join();
            return received[0];
        }
    }

    private static double time(Copy copy, Path src, Path dst, int mib) throws Exception {
        long start = System.nanoTime();
        long copied = OnThread.call(Thread.ofVirtual(), () -> copy.run(src, dst));
        long nanos = System.nanoTime() - start;
        if (copied != (long) mib << 20) {
            throw new IllegalStateException("copied " + copied + " bytes");
        }
        return mib * 1e9 / nanos;
    }
}
