package dev.ringloom.io;

import dev.ringloom.runtime.RingSocket;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Objects;

/**
 * A socket's output as an {@link OutputStream}: each {@code write} sends all its bytes before it returns (one send
 * where the kernel takes them at once), as a JDK socket stream's does; {@code flush()} has nothing to do;
 * {@code close()} closes the socket. For many small writes, {@link dev.ringloom.runtime.RingWriter} (or a
 * {@code BufferedOutputStream}) makes one send per flush.
 *
 * <p>Where it differs on purpose: an interrupted write throws {@link java.io.InterruptedIOException} whose
 * {@code bytesTransferred} counts the bytes that went out, and the socket stays open (a JDK socket written by an
 * interrupted virtual thread is closed). Thread-safe: writes take turns, none interleaves another.
 */
final class RingSocketOutputStream extends OutputStream {
    private final RingSocket socket;
    private final RingSocketInputStream.Closer closer;

    RingSocketOutputStream(RingSocket socket, RingSocketInputStream.Closer closer) {
        this.socket = socket;
        this.closer = closer;
    }

    @Override
    public void write(int b) throws IOException {
        socket.write(new byte[]{(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len > 0) {
            socket.write(b, off, len);
        }
    }

    @Override
    public void close() throws IOException {
        closer.close();
    }

    @Override
    public String toString() {
        return "RingSocketOutputStream[" + socket + "]";
    }
}
