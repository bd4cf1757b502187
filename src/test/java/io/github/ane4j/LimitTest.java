package io.github.ane4j;

import io.github.ane4j.mil.MilProgram;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The process-wide limits from Java: defaults, changes, refusals that name the limit and where. */
class LimitTest {
    @AfterEach
    void restoreDefaults() {
        for (Limit limit : Limit.values()) limit.reset();
    }

    @Test
    void defaultsAreTheDocumentedOnes() {
        assertEquals(1L << 30, Limit.SURFACE_BYTES.defaultValue());
        assertEquals(4L << 30, Limit.KERNEL_BYTES.defaultValue());
        assertEquals(1L << 28, Limit.CONSTANT_ELEMENTS.defaultValue());
        assertEquals(100_000, Limit.STATEMENTS.defaultValue());
        assertEquals(64, Limit.NESTING_DEPTH.defaultValue());
        assertEquals(1L << 20, Limit.LIST_ENTRIES.defaultValue());
        assertEquals(512L << 20, Limit.IDLE_CACHE_BYTES.defaultValue());
        for (Limit limit : Limit.values()) assertEquals(limit.defaultValue(), limit.get(), limit.name());
    }

    @Test
    void aValueSetIsTheValueRead() {
        Limit.STATEMENTS.set(7);
        assertEquals(7, Limit.STATEMENTS.get());
        Limit.IDLE_CACHE_BYTES.set(0);
        assertEquals(0, Limit.IDLE_CACHE_BYTES.get());
        Limit.STATEMENTS.reset();
        assertEquals(100_000, Limit.STATEMENTS.get());
    }

    @Test
    void valuesOutsideTheRangeAreRefusedAndChangeNothing() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Limit.SURFACE_BYTES.set(0));
        assertTrue(e.getMessage().contains("Limit.SURFACE_BYTES must be between 1 and"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Limit.IDLE_CACHE_BYTES.set(-1));
        assertThrows(IllegalArgumentException.class, () -> Limit.LIST_ENTRIES.set(1L << 31));
        assertEquals(1L << 30, Limit.SURFACE_BYTES.get());
        assertEquals(1L << 20, Limit.LIST_ENTRIES.get());
    }

    @Test
    void aProgramPastALimitIsRefusedWithTheLimitItsValueAndThePlace() {
        MilProgram program = Programs.addSelf(4, 8); // 64-byte surfaces
        Limit.SURFACE_BYTES.set(63);
        try (Ane ane = Ane.open(Backend.REFERENCE)) {
            MilCompileException e = assertThrows(MilCompileException.class, () -> ane.compile(program));
            assertTrue(e.getMessage().contains("parameter 'x' needs 64 bytes, which exceeds ANE_LIMIT_SURFACE_BYTES = 63 "
                    + "bytes (raise it with ane_bridge_set_limit, in Java Limit.SURFACE_BYTES.set)"), e.getMessage());
            String[] lines = program.text().split("\n");
            int line = 1;
            while (!lines[line - 1].contains("func main")) line++;
            assertEquals(line, e.line(), e.getMessage());
            assertEquals(lines[line - 1].indexOf("> x)") + 3, e.column(), e.getMessage());
            Limit.SURFACE_BYTES.set(64);
            try (Kernel k = ane.compile(program)) {
                k.input(0).write(new float[32]);
                k.eval();
            }
        }
    }
}
