package dev.ringloom.poller;

import java.lang.foreign.MemorySegment;

/**
 * Where a native buffer goes when its current user is done with it: a pool, or the allocator. Called from
 * the poller thread (for buffers of abandoned ops) and from user threads; implementations are thread-safe and
 * must not block.
 */
@FunctionalInterface
public interface BufferOwner {
    /** Takes {@code buffer} back: the kernel is done with it, and it is the owner's again. */
    void release(MemorySegment buffer);
}
