package dev.ringloom.io;

import dev.ringloom.runtime.RingFile;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * An {@link OutputStream} writing a {@link RingFile} sequentially; every {@code write} returns once all its bytes
 * were written. Unbuffered; thread-safety as the file's. An interrupted write throws
 * {@link java.io.InterruptedIOException} whose {@code bytesTransferred} says exactly how many bytes of that call
 * were written. Closing the stream closes the file; {@link #flush()} does nothing (use {@link RingFile#force()}
 * for durability).
 */
public final class RingOutputStream extends OutputStream {
    private final RingFile file;

    public RingOutputStream(RingFile file) {
        this.file = Objects.requireNonNull(file, "file");
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[]{(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        ByteBuffer src = ByteBuffer.wrap(b, off, len);
        try {
            file.writeFully(src);
        } catch (java.io.InterruptedIOException e) {
            e.bytesTransferred = src.position() - off;
            throw e;
        }
    }

    @Override
    public void close() throws IOException {
        file.close();
    }
}
