package io.github.ane4j.mil;

import java.util.Objects;

/**
 * A function parameter: one input surface of a compiled kernel.
 *
 * @param name its MIL name
 * @param type its declared type
 * @param role whether the surface holds activations or a dynamic weight
 */
public record Parameter(String name, MilType type, Role role) {
    /** What a parameter's surface holds. */
    public enum Role {
        /** Activations, written before each eval ({@code Kernel.input}). */
        ACTIVATION,
        /** A dynamic weight, rewritten between evals without recompiling ({@code Kernel.weight}); weights follow
         *  every activation in the parameter list. */
        WEIGHT
    }

    /**
     * Checks the parts.
     *
     * @throws NullPointerException when {@code name}, {@code type} or {@code role} is null
     */
    public Parameter {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(role, "role");
    }
}
