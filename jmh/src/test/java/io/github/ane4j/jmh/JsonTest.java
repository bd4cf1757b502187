package io.github.ane4j.jmh;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class JsonTest {
    @Test
    void readsNestedObjectsArraysAndScalars() {
        Object value = Json.parse(" {\"a\": [1, -2.5e3, true, false, null], \"b\": {\"c\": \"q\\\"b\\\\n\\n\\u0041\"}, \"d\": []} ");
        assertEquals(Map.of("a", Arrays.asList(1.0, -2500.0, true, false, null),
                "b", Map.of("c", "q\"b\\n\nA"), "d", List.of()), value);
    }

    @Test
    void readsBareNaNAndInfinityAsNumbers() {
        assertEquals(List.of(Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY),
                Json.parse("[NaN, Infinity, -Infinity]"));
    }

    @Test
    void malformedTextIsReportedAtItsLineAndColumn() {
        assertEquals("JSON line 2, column 8: not a JSON value: tru",
                assertThrows(IllegalArgumentException.class, () -> Json.parse("{\n  \"a\": tru }")).getMessage());
        assertEquals("JSON line 1, column 7: expected '}'",
                assertThrows(IllegalArgumentException.class, () -> Json.parse("{\"a\":1")).getMessage());
        assertEquals("JSON line 1, column 4: unterminated string",
                assertThrows(IllegalArgumentException.class, () -> Json.parse("[\"x")).getMessage());
        assertEquals("JSON line 1, column 4: unexpected text after the value",
                assertThrows(IllegalArgumentException.class, () -> Json.parse("[] []")).getMessage());
        assertEquals("JSON line 1, column 2: unexpected character '}'",
                assertThrows(IllegalArgumentException.class, () -> Json.parse("[}")).getMessage());
    }
}
