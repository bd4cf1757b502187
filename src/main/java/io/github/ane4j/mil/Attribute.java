package io.github.ane4j.mil;

import java.util.Objects;

/**
 * One attribute in square brackets after an op or the program header: {@code name = string("y")},
 * {@code val = int32(1)}.
 *
 * @param key   the attribute name
 * @param value its literal value
 */
public record Attribute(String key, Literal value) {
    /**
     * Checks the parts.
     *
     * @throws NullPointerException when {@code key} or {@code value} is null
     */
    public Attribute {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
    }
}
