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
    public Attribute {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
    }
}
