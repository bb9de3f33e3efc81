package dev.ringloom.poller;

import dev.ringloom.poller.uring.IoUringConstants;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which SQEs a poller submits before the next one, so that no enter hands the block layer a batch to plug. */
class PlugLimitTest {
    private static Op fileRead(long offset) {
        return OpEncoder.read(new Op(), 5, offset, 0x1000, 4096);
    }

    @Test
    void theSecondFileReadOfAnEnterAsksForTheFirstToBeSubmitted() {
        PlugLimit limit = new PlugLimit(1);
        assertFalse(limit.enterBefore(fileRead(0)));
        assertTrue(limit.enterBefore(fileRead(4096)));
        limit.entered(true);                                  // the second read is now the one pending
        assertTrue(limit.enterBefore(OpEncoder.write(new Op(), 5, 8192, 0x1000, 4096)));
        limit.entered(true);
        limit.entered(false);                                 // the pass's own enter took it
        assertFalse(limit.enterBefore(OpEncoder.readFixed(new Op(), 5, 0, 0x1000, 4096, 0)));
    }

    @Test
    void streamsAndSocketsNeverPlugADeviceAndNeverCount() {
        PlugLimit limit = new PlugLimit(1);
        assertFalse(limit.enterBefore(fileRead(0)));
        for (int i = 0; i < 100; i++) {
            assertFalse(limit.enterBefore(fileRead(OpEncoder.CURRENT_POSITION)));       // a pipe
            assertFalse(limit.enterBefore(OpEncoder.send(new Op(), 6, 0x1000, 64)));
            assertFalse(limit.enterBefore(OpEncoder.recv(new Op(), 6, 0x1000, 64)));
            assertFalse(limit.enterBefore(OpEncoder.fsync(new Op(), 5)));
            assertFalse(limit.enterBefore(new Op().prepare(IoUringConstants.OP_NOP, -1, 0, 0, 0, 0)));
        }
        assertTrue(limit.enterBefore(fileRead(4096)));
    }

    @Test
    void aLimitOfNFileOpsAsksAtTheNPlusFirst() {
        PlugLimit limit = new PlugLimit(3);
        assertFalse(limit.enterBefore(fileRead(0)));
        assertFalse(limit.enterBefore(fileRead(1 << 12)));
        assertFalse(limit.enterBefore(fileRead(2 << 12)));
        assertTrue(limit.enterBefore(fileRead(3 << 12)));
    }

    @Test
    void noLimitNeverAsks() {
        PlugLimit limit = new PlugLimit(0);
        for (int i = 0; i < 1000; i++) {
            assertFalse(limit.enterBefore(fileRead(4096L * i)));
        }
    }
}
