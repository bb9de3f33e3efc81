package dev.ringloom.io;

import dev.ringloom.runtime.Ringloom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.GatheringByteChannel;
import java.nio.channels.ScatteringByteChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static java.nio.file.StandardOpenOption.APPEND;
import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.TRUNCATE_EXISTING;
import static java.nio.file.StandardOpenOption.WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The contract of {@code FileInputStream}, {@code FileOutputStream} and {@code FileChannel} (as a seekable,
 * scattering and gathering channel), written once and run against the JDK's classes and ringloom's
 * ({@link RingInputStream}, {@link RingOutputStream}, {@link dev.ringloom.runtime.RingFile}): each case runs the
 * same calls on both over identical files and records every answer — the result, or the type of what was thrown and,
 * for an {@code IOException}, its message — and the file's bytes afterwards. Both transcripts must be equal. Runs
 * once per ringloom backend (the suite's two executions).
 */
class FileContractTest {
    static Ringloom ring;
    @TempDir
    Path dir;

    @BeforeAll
    static void open() throws IOException {
        ring = Ringloom.open();
    }

    @AfterAll
    static void close() {
        ring.close();
    }

    /** One implementation of java.io's file streams and NIO's file channel. */
    interface FileApi {
        InputStream in(Path p) throws IOException;

        OutputStream out(Path p, boolean append) throws IOException;

        SeekableByteChannel channel(Path p, OpenOption... options) throws IOException;
    }

    static final FileApi JDK = new FileApi() {
        public InputStream in(Path p) throws IOException {
            return new FileInputStream(p.toFile());
        }

        public OutputStream out(Path p, boolean append) throws IOException {
            return new FileOutputStream(p.toFile(), append);
        }

        public SeekableByteChannel channel(Path p, OpenOption... options) throws IOException {
            return FileChannel.open(p, options);
        }
    };

    static final FileApi RINGLOOM = new FileApi() {
        public InputStream in(Path p) throws IOException {
            return new RingInputStream(ring.openFile(p));
        }

        public OutputStream out(Path p, boolean append) throws IOException {
            return new RingOutputStream(ring.openFile(p, WRITE, CREATE, append ? APPEND : TRUNCATE_EXISTING));
        }

        public SeekableByteChannel channel(Path p, OpenOption... options) throws IOException {
            return ring.openFile(p, options);
        }
    };

    interface Call {
        Object run() throws Exception;
    }

    /** What a sequence of calls answered, one line per call. */
    static final class Transcript {
        final List<String> lines = new ArrayList<>();

        void call(String what, Call call) {
            try {
                Object r = call.run();
                lines.add(what + " = " + (r instanceof byte[] b ? Arrays.toString(b) : r));
            } catch (Exception e) {
                lines.add(what + " threw " + e.getClass().getName()
                        + (e instanceof IOException ? ": " + e.getMessage() : ""));
            }
        }

        /** A void call: records that it returned. */
        void run(String what, VoidCall call) {
            call(what, () -> {
                call.run();
                return "ok";
            });
        }
    }

    interface VoidCall {
        void run() throws Exception;
    }

    interface Steps {
        void run(FileApi api, Path file, Transcript t) throws Exception;
    }

    /** Runs {@code steps} on each implementation over its own copy of {@code content}; expects the same answers. */
    private void sameOnBoth(byte[] content, Steps steps) throws Exception {
        List<String> expected = transcript(JDK, "jdk", content, steps);
        List<String> actual = transcript(RINGLOOM, "ringloom", content, steps);
        assertEquals(String.join("\n", expected), String.join("\n", actual));
    }

    private List<String> transcript(FileApi api, String name, byte[] content, Steps steps) throws Exception {
        Path file = dir.resolve(name);
        Files.write(file, content);
        Transcript t = new Transcript();
        steps.run(api, file, t);
        t.lines.add("file = " + Arrays.toString(Files.readAllBytes(file)));
        return t.lines;
    }

    private static byte[] bytes(int n) {
        byte[] b = new byte[n];
        new SplittableRandom(n).nextBytes(b);
        return b;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    // ---------------------------------------------------------------- input streams

    @Test
    void readReturnsEachByteUnsignedThenMinusOneForever() throws Exception {
        sameOnBoth(new byte[]{0, 1, (byte) 0x80, (byte) 0xFF}, (api, f, t) -> {
            try (InputStream in = api.in(f)) {
                for (int i = 0; i < 6; i++) {
                    t.call("read()", in::read);
                }
            }
        });
    }

    @Test
    void readIntoAnArrayChecksItsArgumentsAndReturnsZeroForNoRoom() throws Exception {
        sameOnBoth(ascii("0123456789"), (api, f, t) -> {
            try (InputStream in = api.in(f)) {
                byte[] b = new byte[8];
                t.call("read(null, 0, 1)", () -> in.read(null, 0, 1));
                t.call("read(b, -1, 1)", () -> in.read(b, -1, 1));
                t.call("read(b, 0, -1)", () -> in.read(b, 0, -1));
                t.call("read(b, 4, 5)", () -> in.read(b, 4, 5));
                t.call("read(b, 8, 0)", () -> in.read(b, 8, 0));
                t.call("read(b, 2, 6)", () -> in.read(b, 2, 6));
                t.call("b", () -> b);
                t.call("read(b)", () -> in.read(b));
                t.call("read(b) at end", () -> in.read(b));
                t.call("read(b, 0, 0) at end", () -> in.read(b, 0, 0));
            }
        });
    }

    @Test
    void readNBytesAndReadAllBytesReturnWhatIsLeft() throws Exception {
        sameOnBoth(bytes(200_000), (api, f, t) -> {
            try (InputStream in = api.in(f)) {
                t.call("readNBytes(3)", () -> in.readNBytes(3));
                byte[] b = new byte[10];
                t.call("readNBytes(b, 1, 9)", () -> in.readNBytes(b, 1, 9));
                t.call("b", () -> b);
                t.call("readNBytes(-1)", () -> in.readNBytes(-1));
                t.call("readAllBytes().length", () -> in.readAllBytes().length);
                t.call("readAllBytes() at end", in::readAllBytes);
                t.call("readNBytes(5) at end", () -> in.readNBytes(5));
            }
        });
    }

    @Test
    void skipMovesForwardAndBackAndPastTheEnd() throws Exception {
        sameOnBoth(ascii("0123456789"), (api, f, t) -> {
            try (InputStream in = api.in(f)) {
                t.call("skip(3)", () -> in.skip(3));
                t.call("read()", in::read);
                t.call("skip(0)", () -> in.skip(0));
                t.call("skip(-2)", () -> in.skip(-2));
                t.call("read()", in::read);
                t.call("skip(-100)", () -> in.skip(-100));
                t.call("available()", in::available);
                t.call("skip(20)", () -> in.skip(20));
                t.call("available() past the end", in::available);
                t.call("read() past the end", in::read);
            }
        });
    }

    @Test
    void skipNBytesSkipsExactlyOrThrowsEofException() throws Exception {
        sameOnBoth(ascii("0123456789"), (api, f, t) -> {
            try (InputStream in = api.in(f)) {
                t.run("skipNBytes(4)", () -> in.skipNBytes(4));
                t.call("read()", in::read);
                t.run("skipNBytes(0)", () -> in.skipNBytes(0));
                t.run("skipNBytes(-1)", () -> in.skipNBytes(-1));
                t.run("skipNBytes(100)", () -> in.skipNBytes(100));
            }
        });
    }

    @Test
    void availableIsWhatIsLeftInTheFile() throws Exception {
        sameOnBoth(bytes(1000), (api, f, t) -> {
            try (InputStream in = api.in(f)) {
                t.call("available()", in::available);
                t.call("readNBytes(999).length", () -> in.readNBytes(999).length);
                t.call("available()", in::available);
                t.call("read()", in::read);
                t.call("available() at end", in::available);
            }
        });
    }

    @Test
    void transferToCopiesTheRestAndCountsIt() throws Exception {
        sameOnBoth(bytes(300_000), (api, f, t) -> {
            try (InputStream in = api.in(f)) {
                t.call("skip(1000)", () -> in.skip(1000));
                ByteArrayOutputStream sink = new ByteArrayOutputStream();
                t.call("transferTo", () -> in.transferTo(sink));
                t.call("sink", () -> Arrays.hashCode(sink.toByteArray()));
                t.call("transferTo at end", () -> in.transferTo(sink));
            }
        });
    }

    @Test
    void transferToAnotherFileOfTheSameKindCopiesEveryByte() throws Exception {
        sameOnBoth(bytes(3 << 20), (api, f, t) -> {
            Path copy = f.resolveSibling(f.getFileName() + ".copy");
            try (InputStream in = api.in(f); OutputStream out = api.out(copy, false)) {
                t.call("transferTo", () -> in.transferTo(out));
            }
            t.call("copy equals", () -> Arrays.equals(Files.readAllBytes(f), Files.readAllBytes(copy)));
        });
    }

    @Test
    void markIsNotSupported() throws Exception {
        sameOnBoth(ascii("abc"), (api, f, t) -> {
            try (InputStream in = api.in(f)) {
                t.call("markSupported()", in::markSupported);
                t.run("mark(10)", () -> in.mark(10));
                t.run("reset()", in::reset);
            }
        });
    }

    @Test
    void aClosedInputStreamRefusesEverythingButClose() throws Exception {
        sameOnBoth(ascii("abc"), (api, f, t) -> {
            InputStream in = api.in(f);
            t.run("close()", in::close);
            t.run("close() again", in::close);
            t.call("read()", in::read);
            t.call("read(b)", () -> in.read(new byte[4]));
            t.call("read(b, 0, 0)", () -> in.read(new byte[4], 0, 0));
            t.call("available()", in::available);
        });
    }

    // ---------------------------------------------------------------- output streams

    @Test
    void writesReplaceTheFileOrAppendToIt() throws Exception {
        for (boolean append : new boolean[]{false, true}) {
            sameOnBoth(ascii("old contents"), (api, f, t) -> {
                try (OutputStream out = api.out(f, append)) {
                    t.run("write(0x141)", () -> out.write(0x141));  // the low eight bits: 'A'
                    t.run("write(b, 1, 3)", () -> out.write(ascii("xyzw"), 1, 3));
                    t.run("write(b, 0, 0)", () -> out.write(new byte[0], 0, 0));
                    t.run("flush()", out::flush);
                    t.run("write(big)", () -> out.write(bytes(2 << 20)));
                }
            });
        }
    }

    @Test
    void writeChecksItsArguments() throws Exception {
        sameOnBoth(new byte[0], (api, f, t) -> {
            try (OutputStream out = api.out(f, false)) {
                byte[] b = new byte[4];
                t.run("write(null, 0, 1)", () -> out.write(null, 0, 1));
                t.run("write(b, -1, 1)", () -> out.write(b, -1, 1));
                t.run("write(b, 0, -1)", () -> out.write(b, 0, -1));
                t.run("write(b, 2, 3)", () -> out.write(b, 2, 3));
                t.run("write(b, 4, 0)", () -> out.write(b, 4, 0));
            }
        });
    }

    @Test
    void aClosedOutputStreamRefusesWrites() throws Exception {
        sameOnBoth(new byte[0], (api, f, t) -> {
            OutputStream out = api.out(f, false);
            t.run("write(1)", () -> out.write(1));
            t.run("close()", out::close);
            t.run("close() again", out::close);
            t.run("write(2)", () -> out.write(2));
            t.run("write(b)", () -> out.write(new byte[3]));
            t.run("write(b, 0, 0)", () -> out.write(new byte[3], 0, 0));
            t.run("flush()", out::flush);
        });
    }

    // ---------------------------------------------------------------- channels

    private static ByteBuffer[] room(int... sizes) {
        ByteBuffer[] b = new ByteBuffer[sizes.length];
        for (int i = 0; i < sizes.length; i++) {
            b[i] = ByteBuffer.allocate(sizes[i]);
        }
        return b;
    }

    private static String state(ByteBuffer[] bufs) {
        StringBuilder s = new StringBuilder();
        for (ByteBuffer b : bufs) {
            s.append(b.position()).append('/').append(b.limit()).append(' ')
                    .append(new String(b.array(), 0, b.position(), StandardCharsets.ISO_8859_1)).append("; ");
        }
        return s.toString();
    }

    @Test
    void aScatteringReadFillsTheBuffersInOrderAndMovesThePosition() throws Exception {
        sameOnBoth(ascii("abcdefghijklmnopqrstuvwxyz"), (api, f, t) -> {
            try (SeekableByteChannel ch = api.channel(f, READ)) {
                ScatteringByteChannel s = (ScatteringByteChannel) ch;
                ByteBuffer[] b = room(3, 0, 5, 4);
                b[2].position(1);
                t.call("read(b)", () -> s.read(b));
                t.call("buffers", () -> state(b));
                t.call("position()", ch::position);
                ByteBuffer[] c = room(2, 2, 2, 100);
                t.call("read(c, 1, 3)", () -> s.read(c, 1, 3));
                t.call("buffers", () -> state(c));
                t.call("read(c, 0, 0)", () -> s.read(c, 0, 0));
                t.call("read(full)", () -> s.read(room(0, 0)));
                t.call("read(c) at end", () -> s.read(room(4)));
                t.call("position()", ch::position);
            }
        });
    }

    @Test
    void aGatheringWriteTakesTheBuffersInOrderFromTheirPositions() throws Exception {
        sameOnBoth(ascii("0123456789"), (api, f, t) -> {
            try (SeekableByteChannel ch = api.channel(f, READ, WRITE)) {
                GatheringByteChannel g = (GatheringByteChannel) ch;
                ByteBuffer[] b = {ByteBuffer.wrap(ascii("AB")), ByteBuffer.allocate(0), ByteBuffer.wrap(ascii("xCDE")),
                        ByteBuffer.allocateDirect(3).put(ascii("FGH")).flip()};
                b[2].position(1);
                t.call("position(4)", () -> ch.position(4).position());
                t.call("write(b)", () -> g.write(b));
                t.call("remaining", () -> Arrays.stream(b).mapToInt(ByteBuffer::remaining).sum());
                t.call("position()", ch::position);
                t.call("size()", ch::size);
                ByteBuffer[] c = {ByteBuffer.wrap(ascii("skip")), ByteBuffer.wrap(ascii("!")), ByteBuffer.wrap(ascii("?"))};
                t.call("write(c, 1, 2)", () -> g.write(c, 1, 2));
                t.call("c[0].remaining()", c[0]::remaining);
                t.call("write(empty)", () -> g.write(new ByteBuffer[]{ByteBuffer.allocate(0)}));
            }
        });
    }

    @Test
    void aLargeGatheringWriteAndScatteringReadKeepEveryByte() throws Exception {
        sameOnBoth(new byte[0], (api, f, t) -> {
            byte[] data = bytes(3 << 20);
            try (SeekableByteChannel ch = api.channel(f, READ, WRITE)) {
                ByteBuffer[] pieces = new ByteBuffer[7];
                int at = 0;
                for (int i = 0; i < pieces.length; i++) {
                    int len = i == pieces.length - 1 ? data.length - at : (i + 1) * 50_000;
                    pieces[i] = i % 2 == 0 ? ByteBuffer.wrap(data, at, len).slice()
                            : ByteBuffer.allocateDirect(len).put(data, at, len).flip();
                    at += len;
                }
                long written = 0;
                while (written < data.length) {
                    written += ((GatheringByteChannel) ch).write(pieces);
                }
                t.call("written", () -> data.length);
                ch.position(0);
                ByteBuffer[] into = room(1, 1000, 100_000, 3 << 20);
                long read = 0;
                while (read < data.length) {
                    read += ((ScatteringByteChannel) ch).read(into);
                }
                ByteArrayOutputStream back = new ByteArrayOutputStream();
                for (ByteBuffer b : into) {
                    back.write(b.array(), 0, b.position());
                }
                t.call("read back equals", () -> Arrays.equals(data, back.toByteArray()));
            }
        });
    }

    @Test
    void scatteringAndGatheringCheckTheirArguments() throws Exception {
        sameOnBoth(ascii("data"), (api, f, t) -> {
            try (SeekableByteChannel ch = api.channel(f, READ, WRITE)) {
                ScatteringByteChannel s = (ScatteringByteChannel) ch;
                GatheringByteChannel g = (GatheringByteChannel) ch;
                t.call("read(b, -1, 1)", () -> s.read(room(1), -1, 1));
                t.call("read(b, 0, 2)", () -> s.read(room(1), 0, 2));
                t.call("read(null element)", () -> s.read(new ByteBuffer[]{null}));
                t.call("read(read-only)", () -> s.read(new ByteBuffer[]{ByteBuffer.allocate(2).asReadOnlyBuffer()}));
                t.call("write(b, 1, 1)", () -> g.write(room(1), 1, 1));
                t.call("write(null element)", () -> g.write(new ByteBuffer[]{null}));
                t.call("position()", ch::position);
            }
        });
    }

    @Test
    void aChannelOpenForOneDirectionRefusesTheOther() throws Exception {
        sameOnBoth(ascii("data"), (api, f, t) -> {
            try (SeekableByteChannel r = api.channel(f, READ); SeekableByteChannel w = api.channel(f, WRITE)) {
                t.call("read-only write(b[])", () -> ((GatheringByteChannel) r).write(new ByteBuffer[]{
                        ByteBuffer.wrap(ascii("x"))}));
                t.call("write-only read(b[])", () -> ((ScatteringByteChannel) w).read(room(1)));
            }
        });
    }

    @Test
    void aClosedChannelRefusesScatteringAndGathering() throws Exception {
        sameOnBoth(ascii("data"), (api, f, t) -> {
            SeekableByteChannel ch = api.channel(f, READ, WRITE);
            ch.close();
            t.call("isOpen()", ch::isOpen);
            t.call("read(b[])", () -> ((ScatteringByteChannel) ch).read(room(1)));
            t.call("write(b[])", () -> ((GatheringByteChannel) ch).write(new ByteBuffer[]{ByteBuffer.wrap(ascii("x"))}));
            t.call("read(b)", () -> ch.read(ByteBuffer.allocate(1)));
            t.call("position()", ch::position);
        });
    }

    @Test
    void appendModeGathersAtTheEnd() throws Exception {
        sameOnBoth(ascii("start"), (api, f, t) -> {
            try (SeekableByteChannel ch = api.channel(f, WRITE, APPEND)) {
                t.call("write(b[])", () -> ((GatheringByteChannel) ch).write(new ByteBuffer[]{
                        ByteBuffer.wrap(ascii("-one")), ByteBuffer.wrap(ascii("-two"))}));
                t.call("position()", ch::position);
            }
        });
    }

    // ---------------------------------------------------------------- the differences, on purpose

    /**
     * Every way ringloom's file streams and channels differ from the JDK's, on purpose, and nowhere else: after
     * close, {@code FileInputStream}'s {@code skip} and {@code readAllBytes} throw "Bad file descriptor" (the fd's
     * errno leaking through), where every call of a {@link RingInputStream} says "Stream Closed", as the JDK's own
     * {@code read} does. (The channels' interrupt rule — an interrupt never closes a {@code RingFile} — is
     * {@code RingFile}'s and is tested in the runtime.)
     */
    @Test
    void intendedDifferences() throws Exception {
        Path f = dir.resolve("closed");
        Files.write(f, ascii("abc"));
        for (FileApi api : List.of(JDK, RINGLOOM)) {
            InputStream in = api.in(f);
            in.close();
            String expected = api == JDK ? "Bad file descriptor" : "Stream Closed";
            assertEquals(expected, assertThrows(IOException.class, () -> in.skip(1)).getMessage());
            assertEquals(expected, assertThrows(IOException.class, in::readAllBytes).getMessage());
        }
    }
}
