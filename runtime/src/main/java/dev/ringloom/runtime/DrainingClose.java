package dev.ringloom.runtime;

import dev.ringloom.poller.FdHandle;
import dev.ringloom.poller.Op;
import dev.ringloom.poller.Poller;
import dev.ringloom.poller.uring.IoUringConstants;

import java.io.IOException;

/**
 * The close every ringloom channel does: mark the fd closing, cancel every op in flight on it
 * ({@code IORING_ASYNC_CANCEL_FD | ALL}), and return once the fd was closed — which happens when the last op
 * using it completed, so its number cannot be reused under an op still in the kernel.
 */
final class DrainingClose {
    private DrainingClose() {
    }

    /** Closes {@code handle}'s fd after draining its ops; safe to call once per handle. */
    static void close(FdHandle handle, Poller poller) throws IOException {
        int others = handle.closeRetaining();
        if (others > 0) {
            // The cancel holds our reference, so the fd stays open (and its number ours) while the kernel
            // looks up the ops to cancel; the poller releases it at the cancel's CQE.
            Op cancel = new Op().prepare(IoUringConstants.OP_ASYNC_CANCEL, handle.fd(), 0, 0, 0,
                    IoUringConstants.ASYNC_CANCEL_FD | IoUringConstants.ASYNC_CANCEL_ALL).fdHandle(handle);
            try {
                poller.submitDetached(cancel);
            } catch (IOException pollerClosed) {
                handle.release();                // the runtime's close cancels everything anyway
            }
        } else if (others == 0) {
            handle.release();
        }
        handle.awaitClosed();
    }
}
