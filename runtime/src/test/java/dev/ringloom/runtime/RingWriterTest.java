package dev.ringloom.runtime;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.WRITE;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A {@link RingWriter} sends nothing until it is full or flushed, sends everything a flush had, and keeps in order
 * what an interrupted flush did not send. The suite runs once per backend.
 */
class RingWriterTest extends WithRing {
    @TempDir
    Path dir;

    @Test
    void smallWritesWaitInTheBufferUntilAFlushSendsThemAll() throws Exception {
        RingSocket[] p = RingSocketTest.pair(ring, InetAddress.getLoopbackAddress());
        try (RingWriter out = ring.writer(p[0])) {
            for (int i = 0; i < 100; i++) {
                out.write(("line " + i + "\n").getBytes(UTF_8), 0, ("line " + i + "\n").length());
            }
            out.write('!');
            assertTrue(out.buffered() > 0);
            p[1].setSoTimeout(200);
            assertThrows(SocketTimeoutException.class, () -> p[1].read(ByteBuffer.allocate(1)),
                    "nothing was sent before the flush");
            out.flush();
            assertEquals(0, out.buffered());
            StringBuilder expected = new StringBuilder();
            for (int i = 0; i < 100; i++) {
                expected.append("line ").append(i).append('\n');
            }
            expected.append('!');
            assertEquals(expected.toString(), RingSocketTest.readString(p[1], expected.length()));
        } finally {
            p[0].close();
            p[1].close();
        }
    }

    @Test
    void aFlushCutByAnInterruptKeepsWhatItDidNotSend() throws Exception {
        RingSocket[] p = RingSocketTest.pair(ring, InetAddress.getLoopbackAddress());
        byte[] payload = new byte[128 * 1024];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) (i * 31 + (i >>> 9));
        }
        try {
            p[0].setOption(StandardSocketOptions.SO_SNDBUF, 4096);
            p[1].setOption(StandardSocketOptions.SO_RCVBUF, 4096);
            RingWriter out = ring.writer(p[0], payload.length);
            out.write(payload, 0, payload.length - 1);          // one byte short of full: all buffered
            AtomicReference<InterruptedIOException> cut = new AtomicReference<>();
            Thread flusher = Thread.ofVirtual().start(() -> {
                try {
                    out.flush();
                } catch (InterruptedIOException e) {
                    cut.set(e);
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            await().until(() -> flusher.getState() == Thread.State.WAITING);   // the peer reads nothing yet
            flusher.interrupt();
            flusher.join();
            int total = payload.length - 1;
            if (cut.get() != null) {
                assertEquals(total - cut.get().bytesTransferred, out.buffered(), "the unsent rest stays buffered");
            }
            Thread drain = Thread.ofVirtual().start(() -> {
                try {
                    out.flush();
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            ByteBuffer got = ByteBuffer.allocate(total);
            while (got.hasRemaining()) {
                p[1].read(got);
            }
            drain.join();
            assertArrayEquals(java.util.Arrays.copyOf(payload, total), got.array(), "in order, none lost or twice");
            assertTrue(cut.get() != null, "the flush was not cut: the test checked only the plain path");
        } finally {
            p[0].close();
            p[1].close();
        }
    }

    @Test
    void aFileWriterWritesTheFileSequentially() throws Exception {
        Path file = dir.resolve("w.txt");
        try (RingFile f = ring.openFile(file, CREATE, WRITE); RingWriter out = ring.writer(f)) {
            for (int i = 0; i < 10_000; i++) {
                out.write(("row " + i + "\n").getBytes(UTF_8), 0, ("row " + i + "\n").length());
            }
        }
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < 10_000; i++) {
            expected.append("row ").append(i).append('\n');
        }
        assertEquals(expected.toString(), Files.readString(file));
    }
}
