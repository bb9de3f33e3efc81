package dev.ringloom.runtime;

import java.nio.file.OpenOption;

/** ringloom's own {@link OpenOption}s, beside {@link java.nio.file.StandardOpenOption}. */
public enum RingOpenOption implements OpenOption {
    /**
     * O_DIRECT: IO bypasses the page cache. Positions and lengths should be multiples of the device's block
     * size (4096 is safe); ringloom's native buffers are page-aligned, so heap buffers work as well.
     */
    DIRECT
}
