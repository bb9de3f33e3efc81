package dev.ringloom.poller.spi;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;

/**
 * A file or pipe end of an {@link IoBackend}. Thread-safe; positional calls may overlap, sequential ones take
 * turns. Pipe ends ({@link #isStream()}) reject positions.
 */
public interface FileIo extends SeekableByteChannel {
    /** The path, or a description for pipes. */
    String name();

    /** True for pipes and FIFOs: no positions, reads keep the stream's no-loss rule across interrupts. */
    boolean isStream();

    /** Reads at {@code position} without moving the channel's position; -1 at or past the end. */
    int read(ByteBuffer dst, long position) throws IOException;

    /** Writes at {@code position} without moving the channel's position. */
    int write(ByteBuffer src, long position) throws IOException;

    /** Flushes data and metadata to the device. */
    void force() throws IOException;

    @Override
    FileIo position(long newPosition) throws IOException;

    @Override
    FileIo truncate(long size) throws IOException;

    /**
     * For streams: bytes that reads given up on (interrupt, timeout) received anyway and later reads returned, for
     * tests and metrics; -1 where no read a caller gives up can still receive (the default).
     */
    default long rescuedBytes() {
        return -1;
    }
}
