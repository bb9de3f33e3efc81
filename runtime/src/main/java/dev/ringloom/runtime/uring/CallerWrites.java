package dev.ringloom.runtime.uring;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Where one file's buffered writes run: on the calling thread — a {@code pwrite}, a copy into the page cache — until
 * one of them is seen to have waited, then through the ring for a pause, so that a file system that has begun to
 * throttle its writers (dirty pages over the limit), to reclaim, or to read a partial page in from the disk holds an
 * io-wq worker instead of the caller's carrier, or the poller a thread scheduled on one runs on.
 *
 * <p>Why not the ring always: ext4 has no non-blocking buffered writes, so io_uring hands every one to an io-wq worker,
 * and one worker at a time per file (it serialises a file's buffered writes): a copy of a few microseconds becomes a
 * hand-off to a kernel thread and a wake-up back. Measured here, one thread's 4 KiB writes ran at 0.05-0.06x the
 * JDK's that way and 32 threads' at 0.44-0.48x (BENCHMARKS.md, "Files: writes into the page cache").
 *
 * <p>A write has waited when it took longer than {@link #LIMIT_BASE_NANOS} plus {@link #LIMIT_NANOS_PER_BYTE} per
 * byte for itself and for each caller write of the file that was under way when it began (a copy slower than
 * 250 MB/s, behind every write ahead of it: a buffered write takes the inode's lock for itself, so eight writers of
 * 1 MiB wait for each other by design). The base is well above what a write meets without any IO — the first call
 * linking its downcall, a safepoint on its way back, a few writers' turns — because a write sent to the ring
 * needlessly costs more than one that stays: on ext4 the ring is one io-wq worker per file. After such a write the file's writes go through the ring for
 * {@link #FIRST_PAUSE_NANOS}; the next write on the caller after the pause is the probe: slow again, and the pause
 * doubles (up to {@link #MAX_PAUSE_NANOS}), so that a file system throttling for seconds holds the caller for one
 * write in every pause, not for one in two; quick, and the caller keeps the writes. The clock is the caller's
 * {@code System.nanoTime()}, passed in, so the rule itself reads no clock.
 *
 * <p>Thread-safety: the pause is two plain fields shared by the file's writers without synchronisation; a race loses
 * or repeats one decision — one write more on the caller, or through the ring — never a byte: both ways make the
 * same write. The count of writes under way is atomic.
 */
final class CallerWrites {
    /** The time any write may take on the caller before it counts as having waited: 10 ms, plus the next. */
    static final long LIMIT_BASE_NANOS = 10_000_000L;
    /** 4 ns per byte of each write under way: 4 ms more for each 1 MiB one. */
    static final long LIMIT_NANOS_PER_BYTE = 4;
    /** How long the ring takes a file's writes after one waited on the caller: 50 ms. */
    static final long FIRST_PAUSE_NANOS = 50_000_000L;
    /** The longest pause, reached after seven slow probes in a row: 3.2 s. */
    static final long MAX_PAUSE_NANOS = 64 * FIRST_PAUSE_NANOS;

    private long pause;         // 0: the caller writes; else the ring does until ringUntil
    private long ringUntil;     // System.nanoTime() at which the pause ends
    private final AtomicInteger underWay = new AtomicInteger();

    /** Whether a write starting at {@code now} ({@code System.nanoTime()}) runs on the caller. */
    boolean onCaller(long now) {
        return pause == 0 || now - ringUntil >= 0;
    }

    /**
     * A caller write begins: returns how many of the file's caller writes are under way with it, for
     * {@link #took}. Each call is followed by one {@link #end()}.
     */
    int begin() {
        return underWay.incrementAndGet();
    }

    /** The caller write that {@link #begin()} announced returned, or failed. */
    void end() {
        underWay.decrementAndGet();
    }

    /**
     * A write of {@code bytes} on the caller, which began with {@code writers} of the file's caller writes under way
     * (itself included), took {@code nanos} and ended at {@code now}.
     */
    void took(long nanos, long bytes, int writers, long now) {
        if (nanos > LIMIT_BASE_NANOS + Math.max(1, writers) * bytes * LIMIT_NANOS_PER_BYTE) {
            pause = pause == 0 ? FIRST_PAUSE_NANOS : Math.min(2 * pause, MAX_PAUSE_NANOS);
            ringUntil = now + pause;
        } else if (pause != 0) {
            pause = 0;
        }
    }
}
