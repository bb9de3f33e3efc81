package dev.ringloom.poller;

import dev.ringloom.poller.sys.Errno;

import dev.ringloom.poller.spi.BackendUnavailableException;

/**
 * io_uring cannot be used in this process, with the reason: no io_uring in the kernel (ENOSYS), blocked by
 * a seccomp profile such as Docker's default or by {@code kernel.io_uring_disabled} (EPERM), memory-lock
 * limits on old kernels (ENOMEM), or a required opcode or feature missing.
 */
public final class IoUringUnavailableException extends BackendUnavailableException {
    private static final long serialVersionUID = 1L;
    private final int errno;

    public IoUringUnavailableException(String reason, int errno, Throwable cause) {
        super(reason, cause);
        this.errno = errno;
    }

    /** The errno io_uring_setup failed with, or 0 when setup worked but a feature is missing. */
    public int errno() {
        return errno;
    }

    /** Explains a failed io_uring_setup in words a user can act on. */
    static IoUringUnavailableException fromSetup(int errno, Throwable cause) {
        String why = switch (errno) {
            case Errno.ENOSYS -> "the kernel has no io_uring (ENOSYS): it needs Linux 5.19 or newer built with CONFIG_IO_URING";
            case Errno.EPERM -> "io_uring_setup was refused (EPERM): a seccomp profile (Docker's default blocks io_uring)"
                    + " or sysctl kernel.io_uring_disabled forbids it for this process";
            case Errno.ENOMEM -> "io_uring_setup failed (ENOMEM): out of memory, or RLIMIT_MEMLOCK too low on kernels before 5.12";
            case Errno.EINVAL -> "io_uring_setup rejected the ring parameters (EINVAL): the kernel is too old for ringloom";
            default -> "io_uring_setup failed: " + Errno.describe(errno);
        };
        return new IoUringUnavailableException("io_uring is unavailable: " + why, errno, cause);
    }
}
