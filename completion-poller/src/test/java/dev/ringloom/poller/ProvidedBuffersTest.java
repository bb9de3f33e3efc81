package dev.ringloom.poller;

import dev.ringloom.poller.sys.Errno;
import dev.ringloom.poller.sys.Libc;
import dev.ringloom.poller.uring.Cqe;
import dev.ringloom.poller.uring.IoUring;
import dev.ringloom.poller.uring.IoUringConstants;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The provided-buffer ring against the running kernel: the kernel picks a buffer and names it in the CQE, only
 * ids the kernel handed out may go back, and an empty ring is ENOBUFS — never a lost read.
 */
class ProvidedBuffersTest {

    /** One read of a pipe with IOSQE_BUFFER_SELECT; returns {res, flags} of its CQE. */
    private static int[] readSelectingABuffer(IoUring ring, int fd) {
        ring.sq().add(IoUringConstants.OP_READ, IoUringConstants.IOSQE_BUFFER_SELECT, fd, -1L, 0L, 64, 0, 7L,
                ProvidedBuffers.GROUP);
        int submitted = ring.enter(ring.sq().flush(), 1, IoUringConstants.ENTER_GETEVENTS);
        assertEquals(1, submitted);
        int[] cqe = new int[2];
        assertEquals(1, ring.cq().reap((userData, res, flags) -> {
            cqe[0] = res;
            cqe[1] = flags;
        }));
        return cqe;
    }

    @Test
    void theKernelFillsABufferOfItsChoosingAndNamesItUntilItIsRecycled() throws Exception {
        try (IoUring ring = IoUring.setup(8, 16, 0); Arena arena = Arena.ofConfined()) {
            ProvidedBuffers buffers = ProvidedBuffers.register(ring, 2, 64);
            assertNotNull(buffers, "this kernel refuses provided-buffer rings (5.19+)");
            MemorySegment fds = arena.allocate(JAVA_INT, 2);
            assertEquals(0, Libc.pipe2(fds, Libc.O_CLOEXEC));
            int rd = fds.getAtIndex(JAVA_INT, 0), wr = fds.getAtIndex(JAVA_INT, 1);
            try {
                MemorySegment hello = arena.allocateFrom("hello", StandardCharsets.US_ASCII);
                for (int round = 0; round < 2; round++) {
                    assertEquals(5, Libc.write(wr, hello.address(), 5));
                    int[] cqe = readSelectingABuffer(ring, rd);
                    assertEquals(5, cqe[0]);
                    assertTrue((cqe[1] & Cqe.F_BUFFER) != 0, "the CQE names the buffer it filled");
                    int bid = cqe[1] >>> Cqe.BUFFER_SHIFT;
                    buffers.take(bid);
                    assertEquals(1, buffers.outstanding());
                    byte[] got = buffers.segment(bid, 5).toArray(JAVA_BYTE);
                    assertEquals("hello", new String(got, StandardCharsets.US_ASCII));
                    buffers.recycle(bid);
                    assertEquals(0, buffers.outstanding());
                }

                // Both buffers out and none back: the kernel says ENOBUFS, and the bytes stay in the pipe.
                assertEquals(5, Libc.write(wr, hello.address(), 5));
                int first = readSelectingABuffer(ring, rd)[1] >>> Cqe.BUFFER_SHIFT;
                buffers.take(first);
                assertEquals(5, Libc.write(wr, hello.address(), 5));
                int second = readSelectingABuffer(ring, rd)[1] >>> Cqe.BUFFER_SHIFT;
                buffers.take(second);
                assertEquals(5, Libc.write(wr, hello.address(), 5));
                assertEquals(-Errno.ENOBUFS, readSelectingABuffer(ring, rd)[0]);
                buffers.recycle(first);
                int[] again = readSelectingABuffer(ring, rd);
                assertEquals(5, again[0], "the read that met an empty ring lost nothing");
                assertEquals(first, again[1] >>> Cqe.BUFFER_SHIFT, "the recycled buffer is the one it got");
            } finally {
                Libc.close(rd);
                Libc.close(wr);
            }
            ring.close();
            buffers.free();
        }
    }

    @Test
    void onlyIdsTheKernelHandedOutMayGoBack() throws Exception {
        try (IoUring ring = IoUring.setup(8, 16, 0)) {
            ProvidedBuffers buffers = ProvidedBuffers.register(ring, 4, 64);
            assertNotNull(buffers);
            assertThrows(IllegalStateException.class, () -> buffers.recycle(0), "never taken");
            buffers.take(1);
            assertThrows(IllegalStateException.class, () -> buffers.take(1), "taken twice");
            buffers.recycle(1);
            assertThrows(IllegalStateException.class, () -> buffers.recycle(1), "recycled twice");
            assertThrows(IllegalStateException.class, () -> buffers.take(4), "not an id of this ring");
            assertThrows(IllegalArgumentException.class, () -> ProvidedBuffers.register(ring, 3, 64),
                    "entries must be a power of two");
            ring.close();
            buffers.free();
        }
    }
}
