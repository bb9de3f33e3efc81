package dev.ringloom.poller;

import dev.ringloom.poller.sys.Errno;
import dev.ringloom.poller.sys.Libc;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.locks.LockSupport;

/**
 * A file descriptor shared by the threads using it and the kernel ops in flight on it, closed only when
 * the last of them is done.
 *
 * <p>The fd number may be reused by the kernel the instant it is closed, so closing it while an op is in
 * flight (or while a thread is inside a syscall on it) could deliver that op's effect to an unrelated file
 * or socket. Every use takes a reference ({@link #acquire()}); {@link #close()} marks the handle closing and
 * the release that drops the count to zero closes the fd — on whichever thread that is, usually the poller
 * reaping the last CQE, except for an fd whose close may block ({@link #closeMayBlock}). Thread-safe.
 */
public final class FdHandle {
    private static final int CLOSING = 1 << 31;
    private static final VarHandle REFS;
    /** Runs the closes that may block, so that no poller ever waits for a peer; a thread per close at a time. */
    private static final Executor BLOCKING_CLOSES = Executors.newCachedThreadPool(
            Thread.ofPlatform().daemon().name("ringloom-blocking-close-", 0).factory());

    static {
        try {
            REFS = MethodHandles.lookup().findVarHandle(FdHandle.class, "refs", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final int fd;
    private volatile int refs;          // CLOSING bit | number of users
    private volatile boolean fdClosed;
    private volatile boolean orphaned;  // a poller died with an op on this fd: it is never closed
    private volatile Thread closer;     // parked in awaitClosed()
    private volatile boolean closeMayBlock;
    private int closeResult;

    public FdHandle(int fd) {
        if (fd < 0) {
            throw new IllegalArgumentException("invalid fd " + fd);
        }
        this.fd = fd;
    }

    public int fd() {
        return fd;
    }

    /**
     * Takes a reference for one syscall or op on the fd.
     *
     * @throws ClosedChannelException if close has begun
     */
    public int acquire() throws ClosedChannelException {
        for (;;) {
            int r = refs;
            if ((r & CLOSING) != 0) {
                throw new ClosedChannelException();
            }
            if (REFS.compareAndSet(this, r, r + 1)) {
                return fd;
            }
        }
    }

    /** Returns a reference; the last one after {@link #close()} closes the fd. */
    public void release() {
        int r = (int) REFS.getAndAdd(this, -1) - 1;
        if (r == CLOSING) {
            closeNow();
        }
    }

    public boolean isClosing() {
        return (refs & CLOSING) != 0;
    }

    /** True once close(2) ran. */
    public boolean isFdClosed() {
        return fdClosed;
    }

    /**
     * Starts closing: new {@link #acquire()}s fail; the fd is closed now if nobody uses it, else by the last
     * {@link #release()}. Returns false if close had already begun.
     */
    public boolean close() {
        int r = (int) REFS.getAndBitwiseOr(this, CLOSING);
        if ((r & CLOSING) != 0) {
            return false;
        }
        if (r == 0) {
            closeNow();
        }
        return true;
    }

    /**
     * Starts closing like {@link #close()} but keeps one reference for the caller, who uses the still-open fd
     * for a final op (a cancel-by-fd) and then {@link #release()}s it.
     *
     * @return the number of other users at that moment (0: nothing in flight), or -1 if close had begun
     */
    public int closeRetaining() {
        for (;;) {
            int r = refs;
            if ((r & CLOSING) != 0) {
                return -1;
            }
            if (REFS.compareAndSet(this, r, (r + 1) | CLOSING)) {
                return r;
            }
        }
    }

    /**
     * Called when the poller that owned an op on this fd died: that op may still be in the kernel, so the fd
     * must stay open (its number must not be reused) for the life of the process. Wakes a closer.
     */
    public void orphan() {
        orphaned = true;
        Thread t = closer;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    /**
     * Parks (uninterruptibly) until the fd is closed; rethrows close(2)'s error, and fails if the fd was
     * {@linkplain #orphan() orphaned}.
     */
    public void awaitClosed() throws IOException {
        awaitClosed(null);
    }

    /**
     * Like {@link #awaitClosed()}, where {@code poller} reaps the CQEs the close waits for: a wait it could never
     * end (the caller parked pinned on its thread) fails with {@link PollerDeadlockException}; the fd is still
     * closed after the last CQE.
     */
    public void awaitClosed(Poller poller) throws IOException {
        closer = Thread.currentThread();
        boolean interrupted = false;
        long mark = poller == null || fdClosed || orphaned ? -1 : poller.beforePark(this);
        try {
            while (!fdClosed && !orphaned) {
                LockSupport.park(this);
                interrupted |= Thread.interrupted();
                if (poller != null) {
                    poller.afterPark(mark, this);
                }
            }
        } finally {
            closer = null;
            if (poller != null) {
                poller.afterWait(mark);
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        if (!fdClosed) {
            throw new IOException("close(fd=" + fd + "): its poller failed with an op in flight; the fd stays open "
                    + "so that its number is never reused under that op");
        }
        if (closeResult < 0) {
            throw Errno.exception("close(fd=" + fd + ")", closeResult);
        }
    }

    /**
     * Declares whether close(2) of this fd may block: a socket with {@code SO_LINGER} above 0 waits in close(2)
     * until its unsent bytes are acknowledged, up to the linger time. Such a close runs on a thread of its own
     * instead of on the thread of the last release (often the poller, whose every other op would wait meanwhile);
     * {@link #awaitClosed} still returns only after it.
     */
    public void closeMayBlock(boolean mayBlock) {
        closeMayBlock = mayBlock;
    }

    private void closeNow() {
        if (closeMayBlock) {
            BLOCKING_CLOSES.execute(this::closeFd);
        } else {
            closeFd();
        }
    }

    private void closeFd() {
        closeResult = Libc.close(fd);
        fdClosed = true;        // closeResult visible before fdClosed
        Thread t = closer;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    @Override
    public String toString() {
        return "fd=" + fd + (isClosing() ? " (closing)" : "");
    }
}
