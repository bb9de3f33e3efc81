package dev.ringloom.runtime;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A {@link RingReader} shows received bytes where they were received and loses none: fillBuf / consume, readLine
 * and readUntil over data split anywhere, a line cut by a timeout or an interrupt continued by the next call, and
 * a socket waiting in fillBuf holding no receive buffer. The suite runs once per backend.
 */
class RingReaderTest extends WithRing {
    @TempDir
    Path dir;

    private static RingSocket[] pair() throws Exception {
        return RingSocketTest.pair(ring, InetAddress.getLoopbackAddress());
    }

    @Test
    void fillBufShowsTheSameBytesUntilTheyAreConsumed() throws Exception {
        RingSocket[] p = pair();
        try {
            RingSocketTest.writeString(p[0], "abcdef");
            RingReader in = p[1].reader();
            assertEquals(in, p[1].reader(), "one reader per socket");
            await().until(() -> in.fillBuf().remaining() == 6);   // the six bytes may come in more than one chunk
            ByteBuffer view = in.fillBuf();
            assertTrue(view.isReadOnly());
            assertThrows(ReadOnlyBufferException.class, () -> view.put(0, (byte) 'x'));
            assertEquals(6, view.clear().remaining(), "clear() shows no byte past the received ones");
            assertEquals("abcdef", UTF_8.decode(in.fillBuf()).toString(), "not consumed: the same bytes again");
            in.consume(2);
            assertEquals("cdef", UTF_8.decode(in.fillBuf()).toString());
            assertThrows(IllegalArgumentException.class, () -> in.consume(5));
            assertThrows(IllegalArgumentException.class, () -> in.consume(-1));
            ByteBuffer copy = ByteBuffer.allocate(2);
            assertEquals(2, p[1].read(copy), "a plain read takes the filled bytes first");
            assertEquals("cd", new String(copy.array(), UTF_8));
            in.consume(2);
            p[0].shutdownOutput();
            assertFalse(in.hasDataLeft());
            assertEquals(0, in.fillBuf().remaining(), "end of stream: an empty buffer");
            assertNull(in.readLine(UTF_8));
        } finally {
            p[0].close();
            p[1].close();
        }
    }

    @Test
    void availableCountsWhatTheReaderShowsOnce() throws Exception {
        RingSocket[] p = pair();
        try {
            RingSocketTest.writeString(p[0], "abcdef");
            await().until(() -> p[1].available() == 6);
            RingReader in = p[1].reader();
            int shown = in.fillBuf().remaining();
            assertTrue(shown > 0);
            assertEquals(6, p[1].available(), "shown by the reader or still queued, each byte once");
            in.consume(1);
            assertEquals(5, p[1].available());
            in.consume(shown - 1);
            assertEquals(6 - shown, p[1].available());
            assertEquals("abcdef".substring(shown), RingSocketTest.readString(p[1], 6 - shown));
            assertEquals(0, p[1].available());
        } finally {
            p[0].close();
            p[1].close();
        }
    }

    @Test
    void readLineAndReadUntilGetTheSameLinesWhereverTheStreamIsSplit() throws Exception {
        String text = "first line\r\nsecond\n\nfourth, after an empty one\nno newline at the end";
        List<String> expected = text.lines().toList();
        byte[] bytes = text.getBytes(UTF_8);
        for (int split = 0; split <= bytes.length; split++) {
            RingSocket[] p = pair();
            try {
                p[0].write(ByteBuffer.wrap(bytes, 0, split));
                RingReader in = p[1].reader();
                if (split > 0) {
                    in.fillBuf();                       // the first piece has arrived before the second is sent
                }
                p[0].write(ByteBuffer.wrap(bytes, split, bytes.length - split));
                p[0].shutdownOutput();
                boolean lines = split % 2 == 0;         // alternate the two ways of reading
                List<String> got = new ArrayList<>();
                if (lines) {
                    String line;
                    while ((line = in.readLine(UTF_8)) != null) {
                        got.add(line);
                    }
                } else {
                    ByteArrayOutputStream sink = new ByteArrayOutputStream();
                    while (in.readUntil((byte) '\n', sink) > 0) {
                        got.add(sink.toString(UTF_8).replaceAll("\r?\n$", ""));
                        sink.reset();
                    }
                }
                assertEquals(expected, got, "split at " + split + (lines ? ", readLine" : ", readUntil"));
            } finally {
                p[0].close();
                p[1].close();
            }
        }
    }

    @Test
    void consumingAViewAfterTheSocketClosedIsHarmless() throws Exception {
        RingSocket[] p = pair();
        RingSocketTest.writeString(p[0], "bytes");
        RingReader in = p[1].reader();
        int n = in.fillBuf().remaining();
        assertTrue(n > 0);
        p[1].close();                                   // gives back every buffer the socket held
        in.consume(n);                                  // nothing left to give back: no error
        assertThrows(java.net.SocketException.class, in::fillBuf, "a closed socket says so");
        p[0].close();
    }

    @Test
    void aLineCutByATimeoutIsContinuedByTheNextCall() throws Exception {
        RingSocket[] p = pair();
        try {
            RingReader in = p[1].reader();
            p[1].setSoTimeout(100);
            RingSocketTest.writeString(p[0], "hel");
            assertThrows(SocketTimeoutException.class, () -> in.readLine(UTF_8));
            RingSocketTest.writeString(p[0], "lo\nworld\n");
            assertEquals("hello", in.readLine(UTF_8), "the partial line was kept, not dropped");
            assertEquals("world", in.readLine(UTF_8));
        } finally {
            p[0].close();
            p[1].close();
        }
    }

    @Test
    void aLineCutByAnInterruptIsContinuedByTheNextCall() throws Exception {
        RingSocket[] p = pair();
        try {
            RingReader in = p[1].reader();
            RingSocketTest.writeString(p[0], "hel");
            await().until(() -> in.fillBuf().remaining() == 3);
            Thread me = Thread.currentThread();
            Thread interrupter = Thread.ofVirtual().start(() -> {
                await().until(() -> me.getState() == Thread.State.WAITING);
                me.interrupt();
            });
            assertThrows(InterruptedIOException.class, () -> in.readLine(UTF_8));
            assertTrue(Thread.interrupted());
            interrupter.join();
            RingSocketTest.writeString(p[0], "lo\n");
            assertEquals("hello", in.readLine(UTF_8));
        } finally {
            p[0].close();
            p[1].close();
        }
    }

    @Test
    void aSocketWaitingInFillBufHoldsNoReceiveBuffer() throws Exception {
        Backends.assumeIoUring(ring, "the provided-buffer ring is io_uring's");
        RingSocket[] p = pair();
        try {
            assumeTrue(p[1].receivesIntoProvidedBuffers(), "without provided buffers a read lends its own buffer");
            int before = ring.stats().receiveBuffersHeld();
            RingReader in = p[1].reader();
            Thread reader = Thread.ofVirtual().start(() -> {
                try {
                    ByteBuffer b;
                    while ((b = in.fillBuf()).hasRemaining()) {
                        in.consume(b.remaining());
                    }
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            await().until(() -> p[1].receiving() && reader.getState() == Thread.State.WAITING);
            assertEquals(before, ring.stats().receiveBuffersHeld(), "a waiting reader holds no buffer");
            RingSocketTest.writeString(p[0], "x".repeat(100_000));
            p[0].shutdownOutput();
            reader.join();
            assertEquals(before, ring.stats().receiveBuffersHeld(), "every consumed buffer went back to the ring");
        } finally {
            p[0].close();
            p[1].close();
        }
    }

    @Test
    void theWordAtATimeSearchFindsTheFirstDelimiterAsAByteLoopWould() {
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(5);
        for (int round = 0; round < 20_000; round++) {
            byte[] bytes = new byte[rnd.nextInt(40)];
            for (int i = 0; i < bytes.length; i++) {
                bytes[i] = (byte) (rnd.nextInt(4) == 0 ? '\n' : rnd.nextInt(256));   // high bytes and borrows too
            }
            java.lang.foreign.MemorySegment seg = java.lang.foreign.MemorySegment.ofArray(bytes);
            int from = bytes.length == 0 ? 0 : rnd.nextInt(bytes.length + 1);
            long expected = -1;
            for (int i = from; i < bytes.length; i++) {
                if (bytes[i] == '\n') {
                    expected = i;
                    break;
                }
            }
            assertEquals(expected, RingReader.indexOf(seg, from, bytes.length, (byte) '\n'), java.util.Arrays.toString(bytes));
        }
    }

    @Test
    void aFileReaderGivesTheFilesLines() throws Exception {
        Path file = dir.resolve("lines.txt");
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 20_000; i++) {
            sb.append("line ").append(i).append(i % 7 == 0 ? "\r\n" : "\n");
        }
        Files.writeString(file, sb);
        try (RingFile f = ring.openFile(file)) {
            RingReader in = f.reader();
            List<String> got = new ArrayList<>();
            String line;
            while ((line = in.readLine(StandardCharsets.UTF_8)) != null) {
                got.add(line);
            }
            assertEquals(Files.readAllLines(file), got);
        }
        try (RingFile f = ring.openFile(file)) {
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            RingReader in = f.reader();
            while (in.readUntil((byte) '\n', all) > 0) {
                // gather
            }
            assertArrayEquals(Files.readAllBytes(file), all.toByteArray());
        }
    }
}
