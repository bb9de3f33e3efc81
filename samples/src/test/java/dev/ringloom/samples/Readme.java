package dev.ringloom.samples;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** The project's documents as the tests that check them read them: from the repository root, one level up. */
final class Readme {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    /** The flags the README gives for the module path, between the module path and {@code -m}. */
    static final List<String> MODULE_PATH_FLAGS = modulePathFlags();

    private Readme() {
    }

    static String text(String document) {
        try {
            return Files.readString(ROOT.resolve(document));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The README's command lines: indented code lines that start with {@code mvn} or {@code java}. */
    static List<String> commands(String document) {
        return text(document).lines()
                .filter(l -> l.startsWith("    mvn ") || l.startsWith("    java "))
                .map(l -> l.strip().replaceAll("\\s+#.*$", ""))
                .toList();
    }

    private static List<String> modulePathFlags() {
        String line = commands("README.md").stream().filter(c -> c.startsWith("java --module-path"))
                .findFirst().orElseThrow(() -> new AssertionError("the README shows no module-path command"));
        List<String> words = Arrays.asList(line.split("\\s+"));
        return words.subList(3, words.indexOf("-m"));    // java --module-path <path> [flags...] -m module/Main
    }
}
