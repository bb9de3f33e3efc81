package dev.ringloom.io;

import dev.ringloom.runtime.RingFile;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * An {@link InputStream} reading a {@link RingFile} sequentially, for java.io code that should run on ringloom.
 *
 * <p>Unbuffered: each {@code read} is one op (wrap it in a {@code BufferedInputStream} for byte-at-a-time
 * readers). Thread-safety and interrupt behaviour are the file's: an interrupted read throws
 * {@link java.io.InterruptedIOException} and loses nothing. Closing the stream closes the file.
 */
public final class RingInputStream extends InputStream {
    private final RingFile file;

    public RingInputStream(RingFile file) {
        this.file = Objects.requireNonNull(file, "file");
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n;
        while ((n = read(one, 0, 1)) == 0) {
            Thread.onSpinWait();
        }
        return n < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        return file.read(ByteBuffer.wrap(b, off, len));
    }

    @Override
    public void close() throws IOException {
        file.close();
    }
}
