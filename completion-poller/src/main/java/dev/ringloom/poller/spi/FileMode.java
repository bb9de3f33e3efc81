package dev.ringloom.poller.spi;

import java.nio.file.OpenOption;
import java.nio.file.StandardOpenOption;
import java.util.Set;

/**
 * What an open file or pipe end allows, decided once from its open options so that the runtime's rules and the
 * backend's open flags read the same answer. Immutable.
 *
 * @param readable reads are allowed ({@code READ}, or neither {@code WRITE} nor {@code APPEND})
 * @param writable writes are allowed ({@code WRITE} or {@code APPEND})
 * @param append   every sequential write goes to the end of the file, atomically ({@code O_APPEND})
 */
public record FileMode(boolean readable, boolean writable, boolean append) {
    /** A pipe's read end. */
    public static final FileMode READ_END = new FileMode(true, false, false);
    /** A pipe's write end. */
    public static final FileMode WRITE_END = new FileMode(false, true, false);

    /**
     * The mode {@link java.nio.channels.FileChannel#open} gives these options.
     *
     * @throws IllegalArgumentException for the combinations {@code FileChannel} refuses: {@code READ} with
     *                                  {@code APPEND}, {@code APPEND} with {@code TRUNCATE_EXISTING}
     */
    public static FileMode of(Set<? extends OpenOption> options) {
        boolean append = options.contains(StandardOpenOption.APPEND);
        boolean writable = append || options.contains(StandardOpenOption.WRITE);
        boolean readable = options.contains(StandardOpenOption.READ) || !writable;
        if (append && options.contains(StandardOpenOption.READ)) {
            throw new IllegalArgumentException("READ + APPEND not allowed");
        }
        if (append && options.contains(StandardOpenOption.TRUNCATE_EXISTING)) {
            throw new IllegalArgumentException("APPEND + TRUNCATE_EXISTING not allowed");
        }
        return new FileMode(readable, writable, append);
    }
}
