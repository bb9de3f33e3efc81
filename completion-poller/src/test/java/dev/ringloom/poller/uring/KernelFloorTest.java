package dev.ringloom.poller.uring;

import dev.ringloom.poller.sys.Errno;
import org.junit.jupiter.api.Test;

import java.util.BitSet;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The kernel floor decided on the kernel's answers: what ringloom uses and an old kernel accepts a ring without —
 * multishot accept, cancel by fd, cancel-any — is named, so the runtime refuses io_uring and falls back instead of
 * failing every accept or hanging in close.
 */
class KernelFloorTest {
    /** Opcodes 0 .. {@code last}, as a kernel whose newest opcode is {@code last} reports them. */
    private static BitSet opcodesUpTo(int last) {
        BitSet ops = new BitSet();
        ops.set(0, last + 1);
        return ops;
    }

    private static KernelFeatures kernel(int features, int lastOpcode, int cancelFd, int cancelAny) {
        return new KernelFeatures("synthetic", features, 0, opcodesUpTo(lastOpcode), cancelFd, cancelAny);
    }

    private static final int NODROP = IoUringConstants.FEAT_NODROP;

    @Test
    void aKernelOfTheFloorOrNewerLacksNothing() {
        assertEquals(List.of(), kernel(NODROP, IoUringConstants.OP_SOCKET, -Errno.ENOENT, -Errno.ENOENT).missing());
        assertEquals(List.of(), kernel(NODROP, IoUringConstants.OP_SENDMSG_ZC, 0, 0).missing(), "0: nothing cancelled");
    }

    @Test
    void a515KernelIsRefusedForMultishotAcceptAndBothCancelFlags() {
        // 5.15 LTS: opcodes up to LINKAT, and the cancel SQE's flags are unknown (EINVAL)
        List<String> missing = kernel(NODROP, IoUringConstants.OP_LINKAT, -Errno.EINVAL, -Errno.EINVAL).missing();
        assertEquals(3, missing.size(), missing::toString);
        assertTrue(missing.get(0).startsWith("multishot accept"), missing::toString);
        assertTrue(missing.get(1).startsWith("IORING_ASYNC_CANCEL_FD") && missing.get(1).contains("EINVAL"),
                missing::toString);
        assertTrue(missing.get(2).startsWith("IORING_ASYNC_CANCEL_ANY"), missing::toString);
    }

    @Test
    void a510KernelAlsoLacksOpcodes() {
        // 5.10 LTS: up to TEE (33): SHUTDOWN and newer are missing, which ringloom does not need; the floor does
        List<String> missing = kernel(NODROP, IoUringConstants.OP_TEE, -Errno.EINVAL, -Errno.EINVAL).missing();
        assertTrue(missing.contains("multishot accept (5.19, with IORING_OP_SOCKET)"), missing::toString);
        assertEquals(3, missing.size(), missing::toString);
    }

    @Test
    void aKernelWithoutNoDropOrARequiredOpcodeSaysWhich() {
        List<String> missing = kernel(0, IoUringConstants.OP_FSYNC, -Errno.EINVAL, -Errno.EINVAL).missing();
        assertTrue(missing.get(0).startsWith("IORING_FEAT_NODROP"), missing::toString);
        assertTrue(missing.contains("IORING_OP_RECV") && missing.contains("IORING_OP_ACCEPT"), missing::toString);
    }
}
