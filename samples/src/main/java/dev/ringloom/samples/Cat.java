package dev.ringloom.samples;

import dev.ringloom.runtime.RingFile;
import dev.ringloom.runtime.Ringloom;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** {@code cat FILE...}: each file's bytes to stdout, read and written through io_uring on a virtual thread. */
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
            // APPEND: when stdout is a file the shell opened, we continue where it is instead of at offset 0
            try (RingFile out = ring.openFile(Path.of("/dev/stdout"), StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
                ByteBuffer buf = ByteBuffer.allocate(256 * 1024);
                for (String name : files) {
                    try (RingFile in = ring.openFile(Path.of(name))) {
                        while (in.read(buf.clear()) != -1) {
                            out.writeFully(buf.flip());
                        }
                    } catch (IOException e) {
                        System.err.println("cat: " + name + ": " + e.getMessage());
                        status[0] = 1;
                    }
                }
            } catch (IOException e) {
                System.err.println("cat: stdout: " + e.getMessage());
                status[0] = 1;
            }
        });
        t.join();
        return status[0];
    }
}
