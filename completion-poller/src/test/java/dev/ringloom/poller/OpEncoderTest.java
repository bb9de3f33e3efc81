package dev.ringloom.poller;

import dev.ringloom.poller.sys.Libc;
import dev.ringloom.poller.uring.IoUringConstants;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each encoder puts its arguments where the kernel's ABI reads them (the quirks liburing's {@code io_uring_prep_*}
 * encode); the real-kernel tests of the channels run every one of them.
 */
class OpEncoderTest {
    @Test
    void connectCarriesTheAddressLengthInOff() {
        Op op = OpEncoder.connect(new Op(), 7, 0x1000, 16);
        assertEquals(IoUringConstants.OP_CONNECT, op.opcode);
        assertEquals(7, op.fd);
        assertEquals(0x1000, op.addr);
        assertEquals(16, op.off);
        assertEquals(0, op.len);
    }

    @Test
    void openatCarriesTheModeInLenAndTheFlagsInOpFlags() {
        Op op = OpEncoder.openat(new Op(), Libc.AT_FDCWD, 0x2000, Libc.O_CLOEXEC, 0644);
        assertEquals(IoUringConstants.OP_OPENAT, op.opcode);
        assertEquals(Libc.AT_FDCWD, op.fd);
        assertEquals(0644, op.len);
        assertEquals(Libc.O_CLOEXEC, op.opFlags);
    }

    @Test
    void aStreamIsReadAndWrittenAtTheCurrentPosition() {
        assertEquals(-1L, OpEncoder.read(new Op(), 3, OpEncoder.CURRENT_POSITION, 0x3000, 64).off);
        assertEquals(-1L, OpEncoder.write(new Op(), 3, OpEncoder.CURRENT_POSITION, 0x3000, 64).off);
        assertEquals(4096, OpEncoder.read(new Op(), 3, 4096, 0x3000, 64).off);
    }

    @Test
    void multishotOpsCarryTheirFlagsInIoprioAndAreMarkedMultishot() {
        Op recv = OpEncoder.recvMultishot(new Op(), 5, (short) 0);
        assertEquals(IoUringConstants.RECV_MULTISHOT, recv.ioprio);
        assertTrue((recv.sqeFlags & IoUringConstants.IOSQE_BUFFER_SELECT) != 0, "the kernel picks the buffer");
        assertEquals(0, recv.addr);
        assertTrue(recv.multishot);
        Op accept = OpEncoder.acceptMultishot(new Op(), 5, Libc.SOCK_CLOEXEC);
        assertEquals(IoUringConstants.ACCEPT_MULTISHOT, accept.ioprio);
        assertEquals(Libc.SOCK_CLOEXEC, accept.opFlags);
        assertTrue(accept.multishot);
    }

    @Test
    void sendNeverRaisesSigpipeAndCancelByFdTakesEveryOp() {
        assertEquals(Libc.MSG_NOSIGNAL, OpEncoder.send(new Op(), 9, 0x4000, 10).opFlags);
        assertEquals(IoUringConstants.ASYNC_CANCEL_FD | IoUringConstants.ASYNC_CANCEL_ALL,
                OpEncoder.cancelAllOnFd(new Op(), 9).opFlags);
    }
}
