package dev.ringloom.poller.uring;

import dev.ringloom.poller.sys.Errno;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Ring set-up and the feature probe, against the running kernel. */
class IoUringSetupTest {
    @Test
    void theProbeFindsEverythingRingloomRequires() throws Exception {
        try (IoUring ring = IoUring.setup(8, 16, 0)) {
            KernelFeatures f = KernelFeatures.probe(ring);
            assertEquals(List.of(), f.missing(), "this kernel is above ringloom's floor");
            assertEquals(-Errno.ENOENT, f.cancelFdAnswer(), "cancel by fd with nothing in flight finds nothing");
            assertEquals(0, f.cancelAnyAnswer(), "cancel-any implies ALL: it counts what it cancelled, none");
            assertTrue(f.has(IoUringConstants.FEAT_NODROP));
            assertTrue(f.supports(IoUringConstants.OP_OPENAT));
            assertEquals(8, ring.sq().entries());
            assertEquals(16, ring.cq().entries());
        }
    }

    @Test
    void parametersTheKernelRejectsFailWithTheErrno() {
        IoUring.SetupException zero = assertThrows(IoUring.SetupException.class, () -> IoUring.setup(0, 16, 0));
        assertEquals(Errno.EINVAL, zero.errno());
        assertTrue(zero.getMessage().contains("EINVAL (Invalid argument)"), zero.getMessage());
        IoUring.SetupException flags = assertThrows(IoUring.SetupException.class,
                () -> IoUring.setup(8, 16, 1 << 30));
        assertEquals(Errno.EINVAL, flags.errno());
        IoUring.SetupException cqSmaller = assertThrows(IoUring.SetupException.class, () -> IoUring.setup(64, 8, 0));
        assertEquals(Errno.EINVAL, cqSmaller.errno());
    }
}
