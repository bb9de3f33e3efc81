package dev.ringloom.poller.uring;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One packing of user_data: op keys and the poller's own keys can never be mistaken for each other. */
class UserDataTest {
    @Test
    void anOpKeyGivesBackItsSlotAndGenerationAndIsNeverInternalOrZero() {
        for (int slot : new int[]{0, 1, 65_535, Integer.MAX_VALUE}) {
            for (int gen : new int[]{1, 2, UserData.MAX_GENERATION}) {
                long key = UserData.ofOp(gen, slot);
                assertEquals(slot, UserData.slot(key));
                assertEquals(gen, UserData.generation(key));
                assertFalse(UserData.isInternal(key), "op key " + Long.toHexString(key));
                assertTrue(key != 0);
            }
        }
    }

    @Test
    void generationsWrapPastTheirMaximumToOneNeverZero() {
        assertEquals(2, UserData.nextGeneration(1));
        assertEquals(1, UserData.nextGeneration(UserData.MAX_GENERATION));
        assertEquals(1, UserData.nextGeneration(0));
    }

    @Test
    void thePollersOwnKeysAreInternalAndDistinct() {
        long[] own = {UserData.WAKE, UserData.CANCEL, UserData.LINK_TIMEOUT, UserData.PROBE};
        for (int i = 0; i < own.length; i++) {
            assertTrue(UserData.isInternal(own[i]));
            for (int j = i + 1; j < own.length; j++) {
                assertTrue(own[i] != own[j]);
            }
        }
    }
}
