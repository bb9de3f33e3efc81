package dev.ringloom.samples;

import dev.ringloom.runtime.RingFile;
import dev.ringloom.runtime.Ringloom;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.SplittableRandom;

/**
 * {@code demo}: what ringloom does, in one run — a file copy through io_uring checked by sha256, and a virtual
 * thread interrupted while the kernel owns its buffer.
 */
final class Demo {
    private Demo() {
    }

    static int run(String[] args) throws Exception {
        if (args.length > 0) {
            throw new Args.UsageException("demo takes no arguments, got '" + String.join(" ", args) + "'");
        }
        Ringloom ring = Ringloom.shared();
        if (ring.stats().eventLoops() > 0) {
            System.out.println("ringloom on " + ring.backendName() + ": " + ring.stats().description());
        } else {
            System.out.println("ringloom on the " + ring.backendName() + " backend (io_uring unavailable here)");
        }

        Path dir = Files.createTempDirectory("ringloom-demo");
        Path src = dir.resolve("src.bin"), dst = dir.resolve("dst.bin");
        try {
            writeRandom(src, 256 << 20);
            long t0 = System.nanoTime();
            Copy.copy(ring, src, dst);
            double secs = (System.nanoTime() - t0) / 1e9;
            String a = sha256(src), b = sha256(dst);
            System.out.printf("copy 256 MiB: %.0f MiB/s, sha256 %s %s%n", 256 / secs, a.substring(0, 16),
                    a.equals(b) ? "matches" : "DIFFERS: " + b.substring(0, 16));
            if (!a.equals(b)) {
                return 1;
            }
        } finally {
            Files.deleteIfExists(src);
            Files.deleteIfExists(dst);
            Files.deleteIfExists(dir);
        }

        RingFile[] pipe = ring.pipe();
        Thread reader = Thread.ofVirtual().start(() -> {
            try {
                pipe[0].read(ByteBuffer.allocate(4096));
            } catch (InterruptedIOException e) {
                System.out.println("blocked pipe read interrupted: " + e.getMessage() + ", interrupt status "
                        + Thread.currentThread().isInterrupted());
            } catch (IOException e) {
                System.out.println("unexpected: " + e);
            }
        });
        while (ring.inFlight() == 0) {
            Thread.onSpinWait();   // the read has reached the kernel
        }
        reader.interrupt();
        reader.join();
        if (ring.stats().eventLoops() > 0) {
            long adopted = ring.stats().abandonedTotal();
            while (ring.stats().abandonedReleasedTotal() < adopted) {
                Thread.onSpinWait();   // the kernel's CQE for the cancelled read is on its way
            }
            System.out.println("the read's buffer went to the registry (" + adopted + " op(s) so far) and was released"
                    + " at the read's own CQE; registry now holds " + ring.registrySize());
        }
        pipe[1].writeFully(ByteBuffer.wrap("still works".getBytes()));
        ByteBuffer got = ByteBuffer.allocate(64);
        int n = pipe[0].read(got);
        System.out.println("next read on the same pipe: \"" + new String(got.array(), 0, n) + "\"; registry now "
                + ring.registrySize());
        pipe[0].close();
        pipe[1].close();
        return 0;
    }

    private static void writeRandom(Path p, int size) throws IOException {
        byte[] chunk = new byte[1 << 20];
        SplittableRandom rnd = new SplittableRandom(42);
        try (var out = Files.newOutputStream(p)) {
            for (int i = 0; i < size / chunk.length; i++) {
                rnd.nextBytes(chunk);
                out.write(chunk);
            }
        }
    }

    static String sha256(Path p) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (InputStream in = Files.newInputStream(p)) {
            byte[] buf = new byte[1 << 20];
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
