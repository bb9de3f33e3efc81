package dev.ringloom.poller.spi;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * The arithmetic of a scattering read or gathering write over {@code buffers[offset, offset + length)}: how much
 * room or data the slice has, copying it into or out of one contiguous piece of memory, and moving the buffers'
 * positions by what the one op moved. A backend does such a call as one op over one buffer of its own, so the
 * kernel sees one read or write, and the ownership rules stay those of a single buffer.
 *
 * <p>Stateless; the buffers are the caller's and are not thread-safe.
 */
public final class BufferVectors {
    /** One write of bytes already gathered from a slice. */
    @FunctionalInterface
    public interface GatheredWrite {
        /** @return the bytes written; an {@link InterruptedIOException} counts those that went out */
        int write() throws IOException;
    }

    private BufferVectors() {
    }

    /**
     * The slice's first {@code max} bytes at most, copied into one heap buffer ready to write; the slice's positions
     * do not move.
     */
    public static ByteBuffer gathered(ByteBuffer[] srcs, int offset, int length, int max) {
        int len = (int) Math.min(remaining(srcs, offset, length), max);
        ByteBuffer staging = ByteBuffer.allocate(len);
        gather(srcs, offset, length, MemorySegment.ofBuffer(staging), len);
        return staging;
    }

    /**
     * Runs {@code write} and advances the slice's buffers by what it wrote — also when an interrupt cut it short, by
     * the {@link InterruptedIOException}'s count, which it then rethrows.
     */
    public static int advancing(ByteBuffer[] srcs, int offset, int length, GatheredWrite write) throws IOException {
        int n;
        try {
            n = write.write();
        } catch (InterruptedIOException cutShort) {
            advance(srcs, offset, length, cutShort.bytesTransferred);
            throw cutShort;
        }
        advance(srcs, offset, length, n);
        return n;
    }

    /**
     * Checks a call's slice as {@code ScatteringByteChannel} and {@code GatheringByteChannel} do.
     *
     * @param forRead true to refuse a read-only buffer ({@link IllegalArgumentException}, like a single read's)
     * @return the bytes of room or data in the slice
     * @throws IndexOutOfBoundsException if {@code offset} and {@code length} do not fit {@code buffers}
     * @throws NullPointerException      if {@code buffers} or one of the slice's elements is null
     */
    public static long check(ByteBuffer[] buffers, int offset, int length, boolean forRead) {
        Objects.checkFromIndexSize(offset, length, buffers.length);
        long total = 0;
        for (int i = offset; i < offset + length; i++) {
            ByteBuffer b = Objects.requireNonNull(buffers[i], "buffer");
            if (forRead && b.isReadOnly()) {
                throw new IllegalArgumentException("Read-only buffer");
            }
            total += b.remaining();
        }
        return total;
    }

    /** The bytes of room or data in the slice, which the caller checked. */
    public static long remaining(ByteBuffer[] buffers, int offset, int length) {
        long total = 0;
        for (int i = offset; i < offset + length; i++) {
            total += buffers[i].remaining();
        }
        return total;
    }

    /** Copies the slice's first {@code n} remaining bytes into {@code to}, in order; positions do not move. */
    public static void gather(ByteBuffer[] srcs, int offset, int length, MemorySegment to, long n) {
        long at = 0;
        for (int i = offset; i < offset + length && at < n; i++) {
            ByteBuffer b = srcs[i];
            int take = (int) Math.min(b.remaining(), n - at);
            if (take > 0) {
                MemorySegment.copy(MemorySegment.ofBuffer(b), 0, to, at, take);
                at += take;
            }
        }
    }

    /** Copies {@code from[0, n)} into the slice's remaining room, in order, and advances the buffers past it. */
    public static void scatter(MemorySegment from, long n, ByteBuffer[] dsts, int offset, int length) {
        long at = 0;
        for (int i = offset; i < offset + length && at < n; i++) {
            ByteBuffer b = dsts[i];
            int put = (int) Math.min(b.remaining(), n - at);
            if (put > 0) {
                MemorySegment.copy(from, at, MemorySegment.ofBuffer(b), 0, put);
                b.position(b.position() + put);
                at += put;
            }
        }
    }

    /** Advances the slice's buffers, in order, by {@code n} bytes in all: what a gathering write wrote. */
    public static void advance(ByteBuffer[] buffers, int offset, int length, long n) {
        long left = n;
        for (int i = offset; i < offset + length && left > 0; i++) {
            ByteBuffer b = buffers[i];
            int step = (int) Math.min(b.remaining(), left);
            b.position(b.position() + step);
            left -= step;
        }
    }
}
