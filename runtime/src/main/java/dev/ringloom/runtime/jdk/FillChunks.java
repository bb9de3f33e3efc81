package dev.ringloom.runtime.jdk;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.ArrayBlockingQueue;

/**
 * The buffers the JDK backend's {@code fill} reads into, shared by a backend's streams: a stream takes one for a
 * fill and gives it back when it must wait with none of it unread, so an idle connection holds none.
 *
 * <p>Native, so a non-blocking read into one is a single copy (the JDK would stage a heap buffer through a direct
 * one), and in automatic arenas: the GC frees a chunk only when nothing reaches it, so a caller that kept a fill's
 * segment past its {@code consume} reads stale bytes, never freed memory. Thread-safe.
 */
final class FillChunks {
    static final int SIZE = 16 * 1024;
    private static final int KEPT = 256;

    private final ArrayBlockingQueue<MemorySegment> idle = new ArrayBlockingQueue<>(KEPT);

    MemorySegment take() {
        MemorySegment c = idle.poll();
        return c != null ? c : Arena.ofAuto().allocate(SIZE, 64);
    }

    /** Back to the pool; beyond what it keeps, to the GC. */
    void give(MemorySegment chunk) {
        idle.offer(chunk);
    }
}
