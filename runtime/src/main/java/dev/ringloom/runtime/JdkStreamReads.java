package dev.ringloom.runtime;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Reads of a byte stream (pipe, socket) on the JDK backend with the no-loss rule: at most one read runs on a
 * helper; a read whose caller left stays {@code carry} and the next reader takes its bytes first; bytes beyond
 * what a reader wanted wait in {@code leftover}. Readers take turns on {@code lock}.
 */
final class JdkStreamReads {
    private static final int MAX_READ = 64 * 1024;

    private final ReentrantLock lock = new ReentrantLock();
    private final JdkBackend backend;
    private final ReadableByteChannel channel;
    private final String name;
    private JdkOp<ByteBuffer> carry;        // guarded by lock
    private ByteBuffer leftover;            // guarded by lock
    private boolean eof;                    // guarded by lock
    private long rescuedBytes;              // guarded by lock: bytes given-up reads received, later returned

    JdkStreamReads(JdkBackend backend, ReadableByteChannel channel, String name) {
        this.backend = backend;
        this.channel = channel;
        this.name = name;
    }

    /** @return bytes read, -1 at end of stream; see {@link JdkOp#await} for interrupt and timeout */
    int read(ByteBuffer dst, long timeoutNanos) throws IOException {
        if (!dst.hasRemaining()) {
            return 0;
        }
        lock.lock();
        try {
            if (leftover != null) {
                return fromLeftover(dst);
            }
            if (eof) {
                return -1;
            }
            JdkOp<ByteBuffer> op = carry;
            carry = null;
            boolean reclaimed = op != null;
            if (reclaimed) {
                op.reclaim();
            } else {
                IoErrors.checkNotInterrupted("read", name);
                int want = Math.min(dst.remaining(), MAX_READ);
                op = backend.start("read(" + name + ")", () -> {
                    ByteBuffer b = ByteBuffer.allocate(want);   // the helper's own: a caller that leaves loses nothing
                    if (channel.read(b) < 0) {
                        return null;
                    }
                    return b.flip();
                });
            }
            ByteBuffer got;
            try {
                got = op.await("read(" + name + ")", timeoutNanos);
            } catch (java.io.InterruptedIOException e) {          // interrupted or timed out
                carry = op;
                throw e;
            }
            if (got == null) {
                if (backend.isClosed()) {
                    throw JdkBackend.closedError("read(" + name + ")");  // the shutdown closed the other end first
                }
                eof = true;
                return -1;
            }
            if (reclaimed) {
                rescuedBytes += got.remaining();
            }
            leftover = got;
            return fromLeftover(dst);
        } finally {
            lock.unlock();
        }
    }

    long rescuedBytes() {
        lock.lock();
        try {
            return rescuedBytes;
        } finally {
            lock.unlock();
        }
    }

    private int fromLeftover(ByteBuffer dst) {
        int n = Math.min(dst.remaining(), leftover.remaining());
        dst.put(dst.position(), leftover, leftover.position(), n);
        dst.position(dst.position() + n);
        leftover.position(leftover.position() + n);
        if (!leftover.hasRemaining()) {
            leftover = null;
        }
        return n;
    }
}
