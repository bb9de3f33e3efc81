package dev.ringloom.io;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.util.Objects;

/**
 * An {@link OutputStream} over a ringloom channel ({@link dev.ringloom.runtime.RingFile},
 * {@link dev.ringloom.runtime.RingSocket}); every {@code write} returns once all its bytes were written.
 *
 * <p>Unbuffered; thread-safety as the channel's. An interrupted write throws {@link InterruptedIOException} whose
 * {@code bytesTransferred} says exactly how many bytes of that call were written, so a caller that retries
 * resends only the rest. Closing the stream closes the channel; {@link #flush()} does nothing (use
 * {@link dev.ringloom.runtime.RingFile#force()} for durability).
 */
public final class RingOutputStream extends OutputStream {
    private final WritableByteChannel channel;

    public RingOutputStream(WritableByteChannel channel) {
        this.channel = Objects.requireNonNull(channel, "channel");
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
            while (src.hasRemaining()) {
                channel.write(src);
            }
        } catch (InterruptedIOException e) {
            e.bytesTransferred = src.position() - off;  // the channel moved src past what went out
            throw e;
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
