package dev.ringloom.io;

import dev.ringloom.runtime.RingReader;
import dev.ringloom.runtime.RingSocket;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A socket's input as an {@link InputStream}, read through the socket's {@link RingReader}: the bytes are copied
 * once, from the memory the kernel received them into to the caller's array, and {@link #read()} takes a byte
 * without any allocation or syscall while received bytes are left. So it is buffered already; a
 * {@code BufferedInputStream} around it adds a second copy and nothing else.
 *
 * <p>Contracts are {@code java.io}'s and the JDK socket stream's: -1 at end of stream, a zero-length read returns 0
 * at once, {@code available()} counts what a read returns without waiting, {@code close()} closes the socket. Where
 * it differs on purpose: an interrupted read throws {@link java.io.InterruptedIOException} and the socket stays
 * open, nothing consumed (a JDK socket read by an interrupted virtual thread closes the socket).
 *
 * <p>Thread-safe: readers take turns on a lock, as a JDK socket stream's do.
 */
final class RingSocketInputStream extends InputStream {
    /** What closing the stream does: close the socket. */
    interface Closer {
        void close() throws IOException;
    }

    private final RingSocket socket;
    private final RingReader reader;
    private final Closer closer;
    private final ReentrantLock lock = new ReentrantLock();

    RingSocketInputStream(RingSocket socket, Closer closer) {
        this.socket = socket;
        this.reader = socket.reader();
        this.closer = closer;
    }

    @Override
    public int read() throws IOException {
        lock.lock();
        try {
            return reader.read();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        lock.lock();
        try {
            return reader.read(ByteBuffer.wrap(b, off, len));
        } finally {
            lock.unlock();
        }
    }

    /** Skips what was received, waiting for at least one byte if none was; 0 at end of stream or for {@code n <= 0}. */
    @Override
    public long skip(long n) throws IOException {
        if (n <= 0) {
            return 0;
        }
        lock.lock();
        try {
            if (!reader.hasDataLeft()) {
                return 0;
            }
            int k = (int) Math.min(n, reader.buffered());
            reader.consume(k);
            return k;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int available() throws IOException {
        return socket.available();
    }

    @Override
    public void close() throws IOException {
        closer.close();
    }

    @Override
    public String toString() {
        return "RingSocketInputStream[" + socket + "]";
    }
}
