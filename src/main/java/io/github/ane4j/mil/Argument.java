package io.github.ane4j.mil;

import java.util.Objects;

/**
 * One keyword argument of an op: {@code key = value}.
 *
 * @param key   the operand name, e.g. {@code x} or {@code transpose_y}
 * @param value what is passed
 */
public record Argument(String key, Operand value) {
    /**
     * Checks the parts.
     *
     * @throws NullPointerException when {@code key} or {@code value} is null
     */
    public Argument {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
    }

    /**
     * {@code key = name}: an argument that references a named value.
     *
     * @param key  the operand name
     * @param name the name of the value passed (a parameter or an earlier result)
     * @return the argument
     */
    public static Argument of(String key, String name) { return new Argument(key, new Operand.Name(name)); }
}
