package dev.ringloom.io;

import dev.ringloom.runtime.RingFile;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.util.Objects;

/**
 * A {@link SeekableByteChannel} view of a {@link RingFile}, for NIO code that should run on ringloom. Thread-safe
 * as the file is. Unlike {@code FileChannel}, an interrupt does not close the channel (see {@link RingFile}).
 * Closing the channel closes the file.
 */
public final class RingByteChannel implements SeekableByteChannel {
    private final RingFile file;

    public RingByteChannel(RingFile file) {
        this.file = Objects.requireNonNull(file, "file");
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        return file.read(dst);
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        return file.write(src);
    }

    @Override
    public long position() throws IOException {
        return file.position();
    }

    @Override
    public SeekableByteChannel position(long newPosition) throws IOException {
        file.position(newPosition);
        return this;
    }

    @Override
    public long size() throws IOException {
        return file.size();
    }

    @Override
    public SeekableByteChannel truncate(long size) throws IOException {
        file.truncate(size);
        return this;
    }

    @Override
    public boolean isOpen() {
        return file.isOpen();
    }

    @Override
    public void close() throws IOException {
        file.close();
    }
}
