package dev.ringloom.runtime;

import dev.ringloom.poller.PollerConfig;
import dev.ringloom.poller.sys.Libc;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * When a poller's ring breaks, every thread waiting on it gets an {@link IOException} that names the failure —
 * never a {@link NullPointerException} from a buffer the dead poller kept on purpose (the kernel may still write
 * it).
 */
class PollerFailureTest {

    /** The process's io_uring fds. */
    private static Set<Integer> ringFds() throws IOException {
        return OpenFds.linkedTo("anon_inode:[io_uring]"::equals);
    }

    @Test
    void aPipeReaderOfABrokenPollerGetsAnIOExceptionNamingIt() throws Exception {
        Set<Integer> before = ringFds();
        try (Ringloom ring = Ringloom.open(PollerConfig.defaults().withPollers(1))) {
            Backends.assumeIoUring(ring, "a ring to break");
            Set<Integer> ours = ringFds();
            ours.removeAll(before);
            assertEquals(1, ours.size(), "one poller, one ring: " + ours);
            RingFile[] pipe = ring.pipe();
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            Thread reader = Thread.ofVirtual().start(() -> {
                try {
                    pipe[0].read(ByteBuffer.allocate(64));
                } catch (Throwable t) {
                    thrown.set(t);
                }
            });
            await().atMost(Duration.ofSeconds(10)).until(() -> ring.inFlight() == 1);
            Libc.close(ours.iterator().next());      // break the ring under the poller
            Path p = Files.createTempFile("ringloom-broken", ".txt");
            try {
                // An open through the ring wakes the poller, whose next enter fails. A truncating one: an open
                // the dentry cache answers happens on this thread (CachedOpen) and would never reach the poller.
                ring.openFile(p, java.nio.file.StandardOpenOption.WRITE,
                        java.nio.file.StandardOpenOption.TRUNCATE_EXISTING).close();
            } catch (IOException expected) {
                // the open may itself be failed by the dead poller
            } finally {
                Files.delete(p);
            }
            reader.join();
            Throwable t = thrown.get();
            assertNotNull(t, "the reader must be woken");
            assertInstanceOf(IOException.class, t, () -> "got " + t);
            assertTrue(t.getMessage().contains("poller failed"), t.getMessage());
            assertNotNull(t.getCause(), "the poller's failure is the cause");
        }
    }
}
