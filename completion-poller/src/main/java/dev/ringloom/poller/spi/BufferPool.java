package dev.ringloom.poller.spi;

import dev.ringloom.poller.BufferOwner;

import java.lang.foreign.MemorySegment;

/**
 * Native memory for owned buffers ({@code IoBuffer}): what {@link #acquire} hands out is the caller's until it
 * {@link #release}s it, or until an op it lends the memory to gives it back after its completion. A backend may keep
 * memory here that its kernel interface uses more cheaply than any other (io_uring's registered buffers).
 * Thread-safe; neither call blocks.
 */
public interface BufferPool extends BufferOwner {
    /** At least {@code size} bytes, page-aligned. */
    MemorySegment acquire(long size);
}
