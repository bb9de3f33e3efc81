package dev.ringloom.runtime;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.io.IOException;

/** A test class's runtime: opened once before its tests on the backend the suite runs on, closed after them. */
abstract class WithRing {
    static Ringloom ring;

    @BeforeAll
    static void openRing() throws IOException {
        ring = Ringloom.open();
    }

    @AfterAll
    static void closeRing() {
        ring.close();
    }
}
