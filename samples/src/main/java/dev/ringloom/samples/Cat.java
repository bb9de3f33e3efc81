package dev.ringloom.samples;

import dev.ringloom.runtime.RingFile;
import dev.ringloom.runtime.Ringloom;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * {@code cat FILE...}: each file's bytes to stdout, read through io_uring on a virtual thread. The bytes go to fd 1
 * itself, as the shell set it up — its offset, its type (file, pipe, socket, terminal) — not to a reopened
 * {@code /dev/stdout}, which would have an offset of its own (the shell's later writes would overwrite ours) and
 * cannot be opened at all when stdout is a socket.
 */
final class Cat {
    private Cat() {
    }

    static int run(String[] files) throws Exception {
        if (files.length == 0) {
            System.err.println("usage: cat FILE...");
            return 2;
        }
        Ringloom ring = Ringloom.shared();
        int[] status = {0};
        Thread t = Thread.ofVirtual().start(() -> {
            FileChannel out = new FileOutputStream(FileDescriptor.out).getChannel();   // fd 1; never closed here
            ByteBuffer buf = ByteBuffer.allocate(256 * 1024);
            for (String name : files) {
                RingFile in;
                try {
                    in = ring.openFile(Path.of(name));
                } catch (IOException e) {
                    System.err.println("cat: " + describe(name, e));
                    status[0] = 1;
                    continue;
                }
                try (in) {
                    while (read(in, buf.clear(), name) != -1) {
                        buf.flip();
                        while (buf.hasRemaining()) {
                            out.write(buf);
                        }
                    }
                } catch (NamedFailure e) {
                    System.err.println("cat: " + e.getMessage());
                    status[0] = 1;
                } catch (IOException e) {
                    System.err.println("cat: stdout: " + e.getMessage());   // EPIPE: the reader went away
                    status[0] = 1;
                    return;
                }
            }
        });
        t.join();
        return status[0];
    }

    /** The failure to open {@code name}, naming it once (ringloom's messages start with the path already). */
    private static String describe(String name, IOException e) {
        String m = describe(e);
        return m.startsWith(name) ? m : name + ": " + m;
    }

    /** A file's failure in words: the JDK backend's {@link NoSuchFileException} says only the path. */
    static String describe(IOException e) {
        String m = String.valueOf(e.getMessage());
        return e instanceof NoSuchFileException missing && m.equals(missing.getFile())
                ? m + ": No such file or directory" : m;
    }

    /** A failure of one input file, named; cat goes on with the next. */
    private static final class NamedFailure extends IOException {
        private static final long serialVersionUID = 1L;

        NamedFailure(String name, IOException cause) {
            super(name + ": " + cause.getMessage(), cause);
        }
    }

    private static int read(RingFile in, ByteBuffer buf, String name) throws NamedFailure {
        try {
            return in.read(buf);
        } catch (IOException e) {
            throw new NamedFailure(name, e);
        }
    }
}
