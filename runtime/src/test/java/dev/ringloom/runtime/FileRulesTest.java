package dev.ringloom.runtime;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.NonReadableChannelException;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.util.List;

import static java.nio.file.StandardOpenOption.APPEND;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.TRUNCATE_EXISTING;
import static java.nio.file.StandardOpenOption.WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The channel rules of a {@link RingFile} are {@code FileChannel}'s on every backend (the suite runs once per
 * backend): each case runs the same steps on a {@code FileChannel} and on a {@code RingFile} and expects the same
 * answers. These are the rules the backends once kept each on their own, and disagreed on.
 */
class FileRulesTest {
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

    private interface Steps {
        List<Object> run(SeekableByteChannel ch) throws IOException;
    }

    /** The steps' answers on a FileChannel and on a RingFile over fresh copies of the same file. */
    private void sameAsFileChannel(String content, Steps steps, OpenOption... options) throws IOException {
        Path jdkFile = dir.resolve("jdk"), ringFile = dir.resolve("ring");
        Files.writeString(jdkFile, content);
        Files.writeString(ringFile, content);
        List<Object> expected, actual;
        try (FileChannel ch = FileChannel.open(jdkFile, options)) {
            expected = steps.run(ch);
        }
        try (RingFile f = ring.openFile(ringFile, options)) {
            actual = steps.run(f);
        }
        assertEquals(expected, actual);
        assertEquals(Files.readString(jdkFile), Files.readString(ringFile));
    }

    private static ByteBuffer ascii(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void inAppendModeThePositionIsTheSizeAndEveryWriteGoesToTheEnd() throws IOException {
        sameAsFileChannel("0123456789", ch -> {
            long before = ch.position();
            ch.write(ascii("abc"));
            long after = ch.position();
            ch.position(2);                     // allowed, but the next write still appends
            ch.write(ascii("de"));
            return List.of(before, after, ch.position(), ch.size());
        }, WRITE, APPEND);
    }

    @Test
    void truncateCutsOnlyALargerFileAndPullsThePositionBack() throws IOException {
        sameAsFileChannel("0123456789", ch -> {
            ch.position(8);
            ch.truncate(20);                    // larger than the file: no change
            long unchanged = ch.size(), kept = ch.position();
            ch.truncate(4);
            return List.of(unchanged, kept, ch.size(), ch.position());
        }, READ, WRITE);
    }

    @Test
    void aPositionPastTheEndReadsEndOfFileAndAWriteThereFillsTheGapWithZeros() throws IOException {
        sameAsFileChannel("0123", ch -> {
            ch.position(8);
            int eof = ch.read(ByteBuffer.allocate(4));
            ch.write(ascii("x"));
            return List.of(eof, ch.position(), ch.size());
        }, READ, WRITE);
    }

    @Test
    void theOptionsFileChannelRefusesAreRefused() {
        for (OpenOption[] options : List.of(new OpenOption[]{READ, APPEND},
                new OpenOption[]{WRITE, APPEND, TRUNCATE_EXISTING})) {
            Path p = dir.resolve("refused");
            IllegalArgumentException jdk = assertThrows(IllegalArgumentException.class,
                    () -> FileChannel.open(p, options));
            IllegalArgumentException ours = assertThrows(IllegalArgumentException.class,
                    () -> ring.openFile(p, options));
            assertEquals(jdk.getMessage(), ours.getMessage());
        }
    }

    @Test
    void aModeRefusesWhatItDoesNotAllow() throws IOException {
        Path p = dir.resolve("modes");
        Files.writeString(p, "data");
        try (RingFile readOnly = ring.openFile(p); RingFile writeOnly = ring.openFile(p, WRITE)) {
            assertThrows(NonWritableChannelException.class, () -> readOnly.write(ascii("x")));
            assertThrows(NonWritableChannelException.class, () -> readOnly.write(ascii("x"), 0));
            assertThrows(NonWritableChannelException.class, () -> readOnly.truncate(1));
            assertThrows(NonReadableChannelException.class, () -> writeOnly.read(ByteBuffer.allocate(1)));
            assertThrows(NonReadableChannelException.class, () -> writeOnly.read(ByteBuffer.allocate(1), 0));
        }
    }

    @Test
    void aPipeHasNoPositionAndNothingToForce() throws IOException {
        RingFile[] pipe = ring.pipe();
        try (RingFile in = pipe[0]; RingFile out = pipe[1]) {
            out.force();                        // nothing lies between the ends and a device
            in.force();
            assertThrows(UnsupportedOperationException.class, out::position);
            assertThrows(UnsupportedOperationException.class, () -> out.position(0));
            assertThrows(UnsupportedOperationException.class, out::size);
            assertThrows(UnsupportedOperationException.class, () -> out.truncate(0));
            assertThrows(UnsupportedOperationException.class, () -> out.write(ascii("x"), 0));
            assertThrows(UnsupportedOperationException.class, () -> in.read(ByteBuffer.allocate(1), 0));
            assertThrows(NonReadableChannelException.class, () -> out.read(ByteBuffer.allocate(1)));
            assertThrows(NonWritableChannelException.class, () -> in.write(ascii("x")));
        }
    }

    @Test
    void afterCloseEveryCallThrowsClosedChannelExceptionAndCloseIsANoOp() throws IOException {
        Path p = dir.resolve("closed");
        Files.writeString(p, "data");
        RingFile f = ring.openFile(p, READ, WRITE);
        f.close();
        f.close();
        assertFalse(f.isOpen());
        assertThrows(ClosedChannelException.class, () -> f.read(ByteBuffer.allocate(1)));
        assertThrows(ClosedChannelException.class, () -> f.read(ByteBuffer.allocate(1), 0));
        assertThrows(ClosedChannelException.class, () -> f.write(ascii("x")));
        assertThrows(ClosedChannelException.class, () -> f.write(ascii("x"), 0));
        assertThrows(ClosedChannelException.class, f::position);
        assertThrows(ClosedChannelException.class, () -> f.position(0));
        assertThrows(ClosedChannelException.class, f::size);
        assertThrows(ClosedChannelException.class, () -> f.truncate(0));
        assertThrows(ClosedChannelException.class, f::force);
        assertEquals("data", Files.readString(p));
    }
}
