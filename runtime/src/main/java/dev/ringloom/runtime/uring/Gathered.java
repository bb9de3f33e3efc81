package dev.ringloom.runtime.uring;

import dev.ringloom.poller.NativeBufferPool;
import dev.ringloom.poller.spi.BufferVectors;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

/**
 * A gathering write as one op: the slice copied into one pooled buffer, which one write or send takes over, and the
 * slice's buffers advanced by what went out ({@link BufferVectors#advancing}). Stateless.
 */
final class Gathered {
    /** One write of {@code buf[0, len)}: pooled memory whose ownership passes to the call. */
    interface PooledWrite {
        int write(MemorySegment buf, int len) throws IOException;
    }

    private Gathered() {
    }

    /** Gathers up to {@code max} bytes of {@code srcs[offset, offset + length)} and writes them with {@code op}. */
    static long write(ByteBuffer[] srcs, int offset, int length, int max, NativeBufferPool pool, PooledWrite op)
            throws IOException {
        int len = (int) Math.min(BufferVectors.remaining(srcs, offset, length), max);
        MemorySegment buf = pool.acquire(len);
        BufferVectors.gather(srcs, offset, length, buf, len);
        return BufferVectors.advancing(srcs, offset, length, () -> op.write(buf, len));
    }
}
