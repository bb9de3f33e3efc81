package dev.ringloom.samples;

import dev.ringloom.runtime.RingFile;
import dev.ringloom.runtime.Ringloom;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.TRUNCATE_EXISTING;
import static java.nio.file.StandardOpenOption.WRITE;

/**
 * {@code copy SRC DST}: copies a file with several virtual threads, each claiming 1 MiB chunks and moving them
 * with a positional read and a positional write. Plain blocking code; the parallelism is what keeps the device
 * (or the page cache) busy.
 */
final class Copy {
    static final int CHUNK = 1 << 20;
    static final int WORKERS = 8;

    private Copy() {
    }

    static int run(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: copy SRC DST");
            return 2;
        }
        Path src = Path.of(args[0]), dst = Path.of(args[1]);
        if (Files.exists(dst) && Files.exists(src) && Files.isSameFile(src, dst)) {
            // Opening DST truncates it: the copy would destroy the data it was asked to copy.
            System.err.println("copy: " + src + " and " + dst + " are the same file");
            return 1;
        }
        long t0 = System.nanoTime();
        long bytes;
        try {
            bytes = copy(Ringloom.shared(), src, dst);
        } catch (IOException e) {
            System.err.println("copy: " + Cat.describe(e));
            return 1;
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        System.err.printf("copied %,d bytes in %.2f s (%.0f MiB/s)%n", bytes, secs, bytes / secs / (1 << 20));
        return 0;
    }

    /** Copies {@code src} to {@code dst}; returns the bytes copied. */
    static long copy(Ringloom ring, Path src, Path dst) throws IOException, InterruptedException {
        try (RingFile in = ring.openFile(src); RingFile out = ring.openFile(dst, WRITE, CREATE, TRUNCATE_EXISTING)) {
            long size = in.size();
            AtomicLong next = new AtomicLong();
            AtomicReference<IOException> failure = new AtomicReference<>();
            List<Thread> workers = new ArrayList<>();
            for (int w = 0; w < WORKERS; w++) {
                workers.add(Thread.ofVirtual().start(() -> {
                    ByteBuffer buf = ByteBuffer.allocate(CHUNK);
                    long at;
                    try {
                        while (failure.get() == null && (at = next.getAndAdd(CHUNK)) < size) {
                            buf.clear().limit((int) Math.min(CHUNK, size - at));
                            while (buf.hasRemaining()) {
                                if (in.read(buf, at + buf.position()) < 0) {
                                    throw new IOException(src + " shrank during the copy");
                                }
                            }
                            buf.flip();
                            while (buf.hasRemaining()) {
                                out.write(buf, at + buf.position());
                            }
                        }
                    } catch (IOException e) {
                        failure.compareAndSet(null, e);
                    }
                }));
            }
            for (Thread t : workers) {
                t.join();
            }
            if (failure.get() != null) {
                throw failure.get();
            }
            return size;
        }
    }
}
