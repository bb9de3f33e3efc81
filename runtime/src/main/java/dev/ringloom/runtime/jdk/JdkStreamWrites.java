package dev.ringloom.runtime.jdk;

import dev.ringloom.runtime.backend.IoErrors;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.GatheringByteChannel;
import java.nio.channels.SelectionKey;

/**
 * Writes of a byte stream (socket, pipe) on the JDK backend: the caller writes the non-blocking channel itself,
 * from its own buffer, and parks on the stream's {@link NonBlockingChannel} while the kernel takes nothing. What a
 * write reports written is what the kernel took, also when an interrupt ends it, so the count is exact and nothing is
 * in flight after it returns. Writers take turns on the stream's {@link NonBlockingChannel#writeTurns}.
 */
final class JdkStreamWrites {
    /**
     * The most one call hands the channel from a heap buffer: the JDK copies a heap buffer's remaining bytes into a
     * direct one on every call, and the kernel takes a few hundred KiB at a time.
     */
    private static final int HEAP_PIECE = 256 * 1024;

    private final NonBlockingChannel stream;
    private final GatheringByteChannel channel;
    private final String what;

    JdkStreamWrites(NonBlockingChannel stream, GatheringByteChannel channel, String name) {
        this.stream = stream;
        this.channel = channel;
        this.what = "write(" + name + ")";
    }

    /**
     * Writes all of {@code src}.
     *
     * @throws InterruptedIOException if interrupted while waiting; {@code bytesTransferred} is exactly what went out,
     *                                and {@code src} moved past it
     */
    int write(ByteBuffer src) throws IOException {
        stream.writeTurns.lock();
        try {
            int total = 0;
            while (src.hasRemaining()) {
                int n = writeNow(src);
                total += n;
                if (n == 0) {
                    awaitWritable(total);
                }
            }
            return total;
        } finally {
            stream.writeTurns.unlock();
        }
    }

    /** All of {@code srcs[offset, offset + length)}, in order, as {@link #write(ByteBuffer)} writes one buffer. */
    long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        stream.writeTurns.lock();
        try {
            long total = 0;
            int end = offset + length;
            for (int i = offset; i < end; ) {
                if (!srcs[i].hasRemaining()) {
                    i++;
                    continue;
                }
                stream.checkOpen(what);
                long n = channel.write(srcs, i, end - i);
                total += n;
                if (n == 0) {
                    awaitWritable(total);
                }
            }
            return total;
        } finally {
            stream.writeTurns.unlock();
        }
    }

    private int writeNow(ByteBuffer src) throws IOException {
        stream.checkOpen(what);
        if (src.isDirect() || src.remaining() <= HEAP_PIECE) {
            return channel.write(src);
        }
        ByteBuffer piece = src.slice(src.position(), HEAP_PIECE);
        int n = channel.write(piece);
        src.position(src.position() + n);
        return n;
    }

    private void awaitWritable(long written) throws IOException {
        try {
            stream.await(SelectionKey.OP_WRITE, 0, what, 1);    // full: a yield would not empty it
        } catch (InterruptedIOException e) {
            throw IoErrors.interrupted(what, (int) Math.min(Integer.MAX_VALUE, written));
        }
    }
}
