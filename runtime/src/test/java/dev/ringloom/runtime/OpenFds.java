package dev.ringloom.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Stream;

/** The process's open fds, from /proc/self/fd: for specs that a close or an abandoned op releases its fd. */
final class OpenFds {
    private static final Path DIR = Path.of("/proc/self/fd");

    private OpenFds() {
    }

    /** How many fds are open. */
    static long count() throws IOException {
        try (Stream<Path> fds = Files.list(DIR)) {
            return fds.count();
        }
    }

    /** The open fds whose link target {@code target} accepts ("anon_inode:[io_uring]", "socket:[…]"). */
    static Set<Integer> linkedTo(Predicate<String> target) throws IOException {
        Set<Integer> found = new HashSet<>();
        try (Stream<Path> links = Files.list(DIR)) {
            for (Path link : (Iterable<Path>) links::iterator) {
                try {
                    if (target.test(Files.readSymbolicLink(link).toString())) {
                        found.add(Integer.parseInt(link.getFileName().toString()));
                    }
                } catch (IOException gone) {
                    // the listing's own fd, closed by now
                }
            }
        }
        return found;
    }
}
