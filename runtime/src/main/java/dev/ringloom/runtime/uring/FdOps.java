package dev.ringloom.runtime.uring;

import dev.ringloom.poller.FdHandle;
import dev.ringloom.poller.Op;
import dev.ringloom.poller.OpEncoder;
import dev.ringloom.poller.Poller;

import java.io.IOException;

/**
 * The two halves of the protocol between ops on an fd and the fd's close, used by every ringloom channel.
 *
 * <p>{@link #close}: mark the fd closing, cancel every op in flight on it ({@code IORING_ASYNC_CANCEL_FD | ALL}),
 * and return once the fd was closed — which happens when the last op using it completed, so its number cannot
 * be reused under an op still in the kernel. {@link #submit}: an op that took its fd reference just before close
 * began may reach the ring after close's cancel-by-fd, so the submitter cancels it itself when it sees the fd
 * closing; without that, close would wait forever for an op nobody cancels.
 */
final class FdOps {
    private FdOps() {
    }

    /**
     * Hands {@code op}, which holds a reference on {@code handle} and possibly a buffer, to {@code poller}, the
     * calling thread waiting for it. If the poller refuses it (closed), the reference and the buffer are given
     * back before the exception propagates.
     */
    static void submit(Poller poller, FdHandle handle, Op op) throws IOException {
        submit(poller, handle, op, false);
    }

    /** Like {@link #submit} for an op nobody waits for (the socket owns it, not a thread). */
    static void submitDetached(Poller poller, FdHandle handle, Op op) throws IOException {
        submit(poller, handle, op, true);
    }

    private static void submit(Poller poller, FdHandle handle, Op op, boolean detached) throws IOException {
        try {
            if (detached) {
                poller.submitDetached(op);
            } else {
                poller.submit(op);
            }
        } catch (IOException e) {
            handle.release();
            op.releaseBuffer();
            throw e;
        }
        if (handle.isClosing()) {
            op.requestCancel(poller);   // close may have sent its cancel-by-fd before our op was queued
        }
    }

    /** Closes {@code handle}'s fd after draining its ops; safe to call once per handle. */
    static void close(FdHandle handle, Poller poller) throws IOException {
        poller.refuseOwnThread(handle);   // close waits for CQEs: refused on the poller's own thread, before it begins
        Op cancel = new Op();       // allocated before close begins: an OutOfMemoryError must not strand the fd
        int others = handle.closeRetaining();
        if (others > 0) {
            // The cancel holds our reference, so the fd stays open (and its number ours) while the kernel
            // looks up the ops to cancel; the poller releases it at the cancel's CQE.
            OpEncoder.cancelAllOnFd(cancel, handle.fd()).fdHandle(handle);
            try {
                poller.submitDetached(cancel);
            } catch (IOException pollerClosed) {
                handle.release();                // the runtime's close cancels everything anyway
            }
        } else if (others == 0) {
            handle.release();
        }
        handle.awaitClosed(poller);
    }
}
