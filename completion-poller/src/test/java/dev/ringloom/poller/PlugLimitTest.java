package dev.ringloom.poller;

import dev.ringloom.poller.uring.IoUringConstants;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which SQEs a poller submits before the next one, so that no enter hands the block layer a batch to plug. */
class PlugLimitTest {
    private static Op deviceRead(long offset) {
        return OpEncoder.read(new Op(), 5, offset, 0x1000, 4096).reachesDevice(true);
    }

    @Test
    void theSecondDeviceReadOfAnEnterAsksForTheFirstToBeSubmitted() {
        PlugLimit limit = new PlugLimit(1);
        assertFalse(limit.enterBefore(deviceRead(0)));
        assertTrue(limit.enterBefore(deviceRead(4096)));
        limit.entered(true);                                  // the second read is now the one pending
        assertTrue(limit.enterBefore(OpEncoder.write(new Op(), 5, 8192, 0x1000, 4096).reachesDevice(true)));
        limit.entered(true);
        limit.entered(false);                                 // the pass's own enter took it
        assertFalse(limit.enterBefore(deviceRead(0)));
    }

    @Test
    void opsTheCacheMayServeAndSocketOpsNeverCount() {
        PlugLimit limit = new PlugLimit(1);
        assertFalse(limit.enterBefore(deviceRead(0)));
        for (int i = 0; i < 100; i++) {
            assertFalse(limit.enterBefore(OpEncoder.read(new Op(), 5, 4096L * i, 0x1000, 4096)));   // cached
            assertFalse(limit.enterBefore(OpEncoder.write(new Op(), 5, 4096L * i, 0x1000, 4096)));  // buffered
            assertFalse(limit.enterBefore(OpEncoder.send(new Op(), 6, 0x1000, 64)));
            assertFalse(limit.enterBefore(OpEncoder.recv(new Op(), 6, 0x1000, 64)));
            assertFalse(limit.enterBefore(new Op().prepare(IoUringConstants.OP_NOP, -1, 0, 0, 0, 0)));
        }
        assertTrue(limit.enterBefore(deviceRead(4096)));
    }

    @Test
    void aReusedOpForgetsItWentToTheDevice() {
        Op op = deviceRead(0);
        OpEncoder.read(op, 5, 0, 0x1000, 4096);               // prepared again, as a spare op is
        PlugLimit limit = new PlugLimit(1);
        assertFalse(limit.enterBefore(deviceRead(0)));
        assertFalse(limit.enterBefore(op));
    }

    @Test
    void aLimitOfNDeviceOpsAsksAtTheNPlusFirst() {
        PlugLimit limit = new PlugLimit(3);
        assertFalse(limit.enterBefore(deviceRead(0)));
        assertFalse(limit.enterBefore(deviceRead(1 << 12)));
        assertFalse(limit.enterBefore(deviceRead(2 << 12)));
        assertTrue(limit.enterBefore(deviceRead(3 << 12)));
    }

    @Test
    void noLimitNeverAsks() {
        PlugLimit limit = new PlugLimit(0);
        for (int i = 0; i < 1000; i++) {
            assertFalse(limit.enterBefore(deviceRead(4096L * i)));
        }
    }
}
