package io.github.ane4j.internal;

import io.github.ane4j.AneEvalException;
import io.github.ane4j.AneException;
import io.github.ane4j.BackendUnavailableException;
import io.github.ane4j.CompileBudgetException;
import io.github.ane4j.MilCompileException;
import io.github.ane4j.internal.ffi.AneBridge;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/** Each native error code becomes its own exception type, with the message kept whole. */
class BridgeErrorsTest {

    @BeforeAll
    static void load() { NativeLibrary.load(); }

    @Test
    void errorCodesMapToTheirExceptionTypes() {
        assertSame(MilCompileException.class, BridgeErrors.forCode(2, "m", 3, 4).getClass());
        assertSame(AneEvalException.class, BridgeErrors.forCode(3, "m", 0, 0).getClass());
        assertSame(BackendUnavailableException.class, BridgeErrors.forCode(4, "m", 0, 0).getClass());
        assertSame(CompileBudgetException.class, BridgeErrors.forCode(7, "m", 0, 0).getClass());
        for (int other : new int[] {1, 5, 6, 99}) assertSame(AneException.class, BridgeErrors.forCode(other, "m", 0, 0).getClass());
    }

    @Test
    void theCodesAreTheHeadersValues() {
        assertEquals(2, AneBridge.ANE_ERR_COMPILE());
        assertEquals(3, AneBridge.ANE_ERR_EVAL());
        assertEquals(4, AneBridge.ANE_ERR_UNAVAILABLE());
        assertEquals(7, AneBridge.ANE_ERR_COMPILE_BUDGET());
    }

    @Test
    void compileErrorsKeepTheirPlaceAndEveryTypeItsMessage() {
        MilCompileException e = (MilCompileException) BridgeErrors.forCode(2, "compile: bad token", 3, 14);
        assertEquals(3, e.line());
        assertEquals(14, e.column());
        assertEquals("compile: bad token", e.getMessage());
        assertEquals("compile: budget spent", BridgeErrors.forCode(7, "compile: budget spent", 0, 0).getMessage());
    }
}
