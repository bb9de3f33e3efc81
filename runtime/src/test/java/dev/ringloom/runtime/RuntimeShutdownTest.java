package dev.ringloom.runtime;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Closing the runtime ends every wait, after the kernel completed every op, and refuses new work. */
class RuntimeShutdownTest {
    @Test
    void closeFailsBlockedCallsWaitsForTheKernelAndRefusesNewOps() throws Exception {
        Ringloom ring = Ringloom.open(dev.ringloom.poller.PollerConfig.defaults().withPollers(2));
        List<RingFile[]> pipes = new ArrayList<>();
        List<Throwable> errors = Collections.synchronizedList(new ArrayList<>());
        List<Thread> readers = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            RingFile[] p = ring.pipe();
            pipes.add(p);
            readers.add(Thread.ofVirtual().start(() -> {
                try {
                    p[0].read(ByteBuffer.allocate(64));
                } catch (IOException e) {
                    errors.add(e);
                }
            }));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> ring.inFlight() == 10);
        ring.close();
        for (Thread t : readers) {
            t.join();
        }
        assertEquals(10, errors.size());
        for (Throwable e : errors) {
            assertTrue(e.getMessage().contains("runtime was closed"), e.getMessage());
        }
        assertEquals(0, ring.inFlight());
        assertEquals(0, ring.registrySize());
        assertEquals(0, ring.stats().eventLoops(), "every poller ended");
        IOException refused = assertThrows(IOException.class, () -> ring.openFile(Path.of("pom.xml")));
        assertTrue(refused.getMessage().contains("closed"), refused.getMessage());
        ring.close(); // idempotent
        for (RingFile[] p : pipes) {
            p[0].close();  // still closes the fds: nothing is in flight any more
            p[1].close();
        }
    }
}
