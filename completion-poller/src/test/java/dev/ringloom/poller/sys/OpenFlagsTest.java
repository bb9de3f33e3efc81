package dev.ringloom.poller.sys;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** O_DIRECT is the one open flag whose number depends on the architecture (asm/fcntl.h of each). */
class OpenFlagsTest {
    @Test
    void oDirectHasEachArchitecturesOwnValue() {
        assertEquals(040000, Libc.oDirect("amd64"));
        assertEquals(040000, Libc.oDirect("riscv64"));
        assertEquals(0200000, Libc.oDirect("aarch64"), "040000 is O_DIRECTORY there");
        assertEquals(0400000, Libc.oDirect("ppc64le"));
        assertEquals(Libc.oDirect(System.getProperty("os.arch")), Libc.O_DIRECT);
    }
}
