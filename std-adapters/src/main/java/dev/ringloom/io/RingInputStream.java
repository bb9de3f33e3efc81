package dev.ringloom.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.util.Objects;

/**
 * An {@link InputStream} over a ringloom channel ({@link dev.ringloom.runtime.RingFile},
 * {@link dev.ringloom.runtime.RingSocket}), for java.io code that should run on ringloom.
 *
 * <p>Unbuffered: each {@code read} is one channel read (wrap it in a {@code BufferedInputStream} for
 * byte-at-a-time readers). Thread-safety and interrupt behaviour are the channel's: an interrupted read throws
 * {@link java.io.InterruptedIOException} and consumes nothing. Closing the stream closes the channel.
 */
public final class RingInputStream extends InputStream {
    private final ReadableByteChannel channel;

    public RingInputStream(ReadableByteChannel channel) {
        this.channel = Objects.requireNonNull(channel, "channel");
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
        return channel.read(ByteBuffer.wrap(b, off, len));
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
