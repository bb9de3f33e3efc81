package dev.ringloom.poller.uring;

/**
 * Constants of the io_uring ABI, with the values from {@code include/uapi/linux/io_uring.h}. Newer ones than
 * the 6.1-era header on build machines are marked with the kernel that added them; ringloom probes for
 * them at run time ({@link KernelFeatures}) and never assumes them.
 */
public final class IoUringConstants {
    // enum io_uring_op
    public static final byte OP_NOP = 0, OP_READV = 1, OP_WRITEV = 2, OP_FSYNC = 3, OP_READ_FIXED = 4,
            OP_WRITE_FIXED = 5, OP_POLL_ADD = 6, OP_POLL_REMOVE = 7, OP_SYNC_FILE_RANGE = 8, OP_SENDMSG = 9,
            OP_RECVMSG = 10, OP_TIMEOUT = 11, OP_TIMEOUT_REMOVE = 12, OP_ACCEPT = 13, OP_ASYNC_CANCEL = 14,
            OP_LINK_TIMEOUT = 15, OP_CONNECT = 16, OP_FALLOCATE = 17, OP_OPENAT = 18, OP_CLOSE = 19,
            OP_FILES_UPDATE = 20, OP_STATX = 21, OP_READ = 22, OP_WRITE = 23, OP_FADVISE = 24, OP_MADVISE = 25,
            OP_SEND = 26, OP_RECV = 27, OP_OPENAT2 = 28, OP_EPOLL_CTL = 29, OP_SPLICE = 30,
            OP_PROVIDE_BUFFERS = 31, OP_REMOVE_BUFFERS = 32, OP_TEE = 33, OP_SHUTDOWN = 34, OP_RENAMEAT = 35,
            OP_UNLINKAT = 36, OP_MKDIRAT = 37, OP_SYMLINKAT = 38, OP_LINKAT = 39, OP_MSG_RING = 40,
            OP_FSETXATTR = 41, OP_SETXATTR = 42, OP_FGETXATTR = 43, OP_GETXATTR = 44, OP_SOCKET = 45,
            OP_URING_CMD = 46, OP_SEND_ZC = 47, OP_SENDMSG_ZC = 48;

    private static final String[] OP_NAMES = {"NOP", "READV", "WRITEV", "FSYNC", "READ_FIXED", "WRITE_FIXED",
            "POLL_ADD", "POLL_REMOVE", "SYNC_FILE_RANGE", "SENDMSG", "RECVMSG", "TIMEOUT", "TIMEOUT_REMOVE",
            "ACCEPT", "ASYNC_CANCEL", "LINK_TIMEOUT", "CONNECT", "FALLOCATE", "OPENAT", "CLOSE", "FILES_UPDATE",
            "STATX", "READ", "WRITE", "FADVISE", "MADVISE", "SEND", "RECV", "OPENAT2", "EPOLL_CTL", "SPLICE",
            "PROVIDE_BUFFERS", "REMOVE_BUFFERS", "TEE", "SHUTDOWN", "RENAMEAT", "UNLINKAT", "MKDIRAT",
            "SYMLINKAT", "LINKAT", "MSG_RING", "FSETXATTR", "SETXATTR", "FGETXATTR", "GETXATTR", "SOCKET",
            "URING_CMD", "SEND_ZC", "SENDMSG_ZC"};

    // io_uring_sqe.flags
    public static final byte IOSQE_FIXED_FILE = 1, IOSQE_IO_DRAIN = 1 << 1, IOSQE_IO_LINK = 1 << 2,
            IOSQE_IO_HARDLINK = 1 << 3, IOSQE_ASYNC = 1 << 4, IOSQE_BUFFER_SELECT = 1 << 5,
            IOSQE_CQE_SKIP_SUCCESS = 1 << 6;

    // io_uring_setup flags
    public static final int SETUP_IOPOLL = 1, SETUP_SQPOLL = 1 << 1, SETUP_CQSIZE = 1 << 3, SETUP_CLAMP = 1 << 4,
            SETUP_R_DISABLED = 1 << 6, SETUP_SUBMIT_ALL = 1 << 7, SETUP_COOP_TASKRUN = 1 << 8,
            SETUP_TASKRUN_FLAG = 1 << 9, SETUP_SINGLE_ISSUER = 1 << 12, SETUP_DEFER_TASKRUN = 1 << 13;

    // io_uring_params.features
    public static final int FEAT_SINGLE_MMAP = 1, FEAT_NODROP = 1 << 1, FEAT_SUBMIT_STABLE = 1 << 2,
            FEAT_RW_CUR_POS = 1 << 3, FEAT_CUR_PERSONALITY = 1 << 4, FEAT_FAST_POLL = 1 << 5,
            FEAT_POLL_32BITS = 1 << 6, FEAT_SQPOLL_NONFIXED = 1 << 7, FEAT_EXT_ARG = 1 << 8,
            FEAT_NATIVE_WORKERS = 1 << 9, FEAT_RSRC_TAGS = 1 << 10, FEAT_CQE_SKIP = 1 << 11,
            FEAT_LINKED_FILE = 1 << 12,
            /** 6.12: io_uring_getevents_arg.min_wait_usec, a batch wait that returns early once events exist. */
            FEAT_MIN_TIMEOUT = 1 << 15;

    // io_uring_enter flags
    public static final int ENTER_GETEVENTS = 1, ENTER_SQ_WAKEUP = 1 << 1, ENTER_SQ_WAIT = 1 << 2,
            ENTER_EXT_ARG = 1 << 3;

    // sq ring flags (kernel-written)
    public static final int SQ_NEED_WAKEUP = 1, SQ_CQ_OVERFLOW = 1 << 1, SQ_TASKRUN = 1 << 2;

    // mmap offsets
    public static final long OFF_SQ_RING = 0L, OFF_CQ_RING = 0x8000000L, OFF_SQES = 0x10000000L;

    // IORING_OP_ASYNC_CANCEL flags (sqe op_flags)
    public static final int ASYNC_CANCEL_ALL = 1, ASYNC_CANCEL_FD = 1 << 1, ASYNC_CANCEL_ANY = 1 << 2;

    // recv/send flags in sqe->ioprio
    /** Arm the poll before trying: the caller expects the socket to be empty right now. */
    public static final short RECVSEND_POLL_FIRST = 1;

    /** Poll flag in sqe->len (5.13): keep polling, one CQE per readiness event. */
    public static final int POLL_ADD_MULTI = 1;

    /** Accept flag in sqe->ioprio (5.19): keep accepting, one CQE per connection. */
    public static final short ACCEPT_MULTISHOT = 1;

    /** Recv flag in sqe->ioprio (6.0): keep receiving into provided buffers, one CQE per chunk. */
    public static final short RECV_MULTISHOT = 1 << 1;

    // io_uring_register opcodes
    public static final int REGISTER_BUFFERS = 0, REGISTER_PROBE = 8, REGISTER_IOWQ_MAX_WORKERS = 19, REGISTER_PBUF_RING = 22,
            UNREGISTER_PBUF_RING = 23;

    /** io_uring_probe_op.flags: the opcode is supported. */
    public static final int IO_URING_OP_SUPPORTED = 1;

    private IoUringConstants() {
    }

    /** The opcode's name for messages and traces, e.g. {@code "READ"}. */
    public static String opName(int opcode) {
        return opcode >= 0 && opcode < OP_NAMES.length ? OP_NAMES[opcode] : "OP_" + opcode;
    }
}
