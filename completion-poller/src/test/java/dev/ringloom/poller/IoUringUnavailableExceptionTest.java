package dev.ringloom.poller;

import dev.ringloom.poller.sys.Errno;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** When the kernel refuses io_uring, the message names the cause a user can act on. */
class IoUringUnavailableExceptionTest {
    @Test
    void eachRefusalNamesItsCause() {
        IoUringUnavailableException eperm = IoUringUnavailableException.fromSetup(Errno.EPERM, null);
        assertEquals(Errno.EPERM, eperm.errno());
        assertTrue(eperm.getMessage().contains("seccomp") && eperm.getMessage().contains("io_uring_disabled"),
                eperm.getMessage());
        assertTrue(IoUringUnavailableException.fromSetup(Errno.ENOSYS, null).getMessage().contains("ENOSYS"));
        assertTrue(IoUringUnavailableException.fromSetup(Errno.ENOMEM, null).getMessage().contains("RLIMIT_MEMLOCK"));
        assertTrue(IoUringUnavailableException.fromSetup(Errno.EFAULT, null).getMessage().contains("EFAULT (Bad address)"));
    }
}
