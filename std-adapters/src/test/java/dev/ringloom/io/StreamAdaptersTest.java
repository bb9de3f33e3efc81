package dev.ringloom.io;

import dev.ringloom.runtime.RingServerSocket;
import dev.ringloom.runtime.RingSocket;
import dev.ringloom.runtime.Ringloom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** Existing java.io and NIO code runs unchanged on ringloom's files and sockets. */
class StreamAdaptersTest {
    static Ringloom ring;
    @TempDir
    Path dir;

    @BeforeAll
    static void start() throws IOException {
        ring = Ringloom.open();
    }

    @AfterAll
    static void stop() {
        ring.close();
    }

    @Test
    void transferToThroughTheStreamsCopiesEveryByte() throws IOException {
        byte[] data = new byte[5_000_000];
        new SplittableRandom(1).nextBytes(data);
        Path src = dir.resolve("src"), dst = dir.resolve("dst");
        Files.write(src, data);
        try (InputStream in = new RingInputStream(ring.openFile(src));
             OutputStream out = new RingOutputStream(ring.openFile(dst, WRITE, CREATE))) {
            in.transferTo(out);
        }
        assertArrayEquals(data, Files.readAllBytes(dst));
    }

    /** The same calls on a FileInputStream and on a RingInputStream over the same file give the same answers. */
    @Test
    void aFileStreamAnswersAsFileInputStreamDoes() throws IOException {
        byte[] data = new byte[100_000];
        new SplittableRandom(9).nextBytes(data);
        Path p = dir.resolve("same");
        Files.write(p, data);
        try (InputStream jdk = new java.io.FileInputStream(p.toFile());
             InputStream ours = new RingInputStream(ring.openFile(p))) {
            for (InputStream in : new InputStream[]{jdk, ours}) {
                assertEquals(data.length, in.available());
            }
            for (int i = 0; i < 1000; i++) {
                assertEquals(jdk.read(), ours.read(), "byte " + i);
            }
            assertEquals(jdk.available(), ours.available());
            assertArrayEquals(jdk.readNBytes(12_345), ours.readNBytes(12_345));
            assertEquals(jdk.skip(777), ours.skip(777));
            assertEquals(0, ours.read(new byte[3], 1, 0));
            assertArrayEquals(jdk.readAllBytes(), ours.readAllBytes());
            assertEquals(-1, jdk.read());
            assertEquals(-1, ours.read());
            assertEquals(0, ours.available());
            org.junit.jupiter.api.Assertions.assertThrows(IndexOutOfBoundsException.class,
                    () -> ours.read(new byte[3], 2, 2));
        }
    }

    @Test
    void aBufferedReaderReadsLinesAndSingleBytesWork() throws IOException {
        Path p = dir.resolve("lines");
        Files.writeString(p, "one\ntwo\nthree\n");
        try (BufferedReader r = new BufferedReader(new InputStreamReader(new RingInputStream(ring.openFile(p)), StandardCharsets.UTF_8))) {
            assertEquals("one", r.readLine());
            assertEquals("two", r.readLine());
            assertEquals("three", r.readLine());
            assertEquals(null, r.readLine());
        }
        try (InputStream in = new RingInputStream(ring.openFile(p))) {
            assertEquals('o', in.read());
            in.skipNBytes(12);
            assertEquals('\n', in.read());
            assertEquals(-1, in.read());
        }
    }

    @Test
    void aRingFileIsASeekableByteChannel() throws IOException {
        Path p = dir.resolve("chan");
        SeekableByteChannel ch = ring.openFile(p, READ, WRITE, CREATE);
        ch.write(ByteBuffer.wrap("0123456789".getBytes(StandardCharsets.US_ASCII)));
        assertEquals(10, ch.size());
        ch.position(3);
        ByteBuffer two = ByteBuffer.allocate(2);
        ch.read(two);
        assertEquals("34", new String(two.array(), StandardCharsets.US_ASCII));
        ch.truncate(4);
        assertEquals(4, ch.size());
        assertEquals(4, ch.position());
        ch.close();
        assertFalse(ch.isOpen());
    }

    @Test
    void socketCodeWrittenForJavaIoRunsOverRingSockets() throws Exception {
        try (RingServerSocket server = ring.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            Thread echo = Thread.ofVirtual().start(() -> {
                try (RingSocket s = server.accept();
                     BufferedReader in = new BufferedReader(new InputStreamReader(new RingInputStream(s), StandardCharsets.UTF_8));
                     PrintWriter out = new PrintWriter(new OutputStreamWriter(new RingOutputStream(s), StandardCharsets.UTF_8), true)) {
                    String line;
                    while ((line = in.readLine()) != null) {
                        out.println(line.toUpperCase(java.util.Locale.ROOT));
                    }
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            try (RingSocket c = ring.connect(server.localAddress());
                 BufferedReader in = new BufferedReader(new InputStreamReader(new RingInputStream(c), StandardCharsets.UTF_8));
                 PrintWriter out = new PrintWriter(new OutputStreamWriter(new RingOutputStream(c), StandardCharsets.UTF_8), true)) {
                out.println("hello");
                assertEquals("HELLO", in.readLine());
                out.println("ringloom");
                assertEquals("RINGLOOM", in.readLine());
                c.shutdownOutput();
                assertEquals(null, in.readLine());
            }
            echo.join();
        }
    }
}
