package io.github.ane4j.mil;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One statement of a function body: {@code tensor<fp16, [1, 8]> y = add(x = a, y = b)[name = string("y")];}.
 * Immutable; equality compares every part (positions in the text are kept by {@link MilProgram#lineOf}).
 *
 * @param results    the declared results, one for most ops (several for {@code split})
 * @param op         the op name
 * @param arguments  the keyword arguments in written order
 * @param attributes the attributes in written order; empty when the statement has no {@code [...]} block
 */
public record Statement(List<Result> results, String op, List<Argument> arguments, List<Attribute> attributes) {
    /**
     * A declared result: {@code tensor<fp16, [1, 8]> y}.
     *
     * @param name its name, unique in the function
     * @param type its declared type (the compiler checks it against the op's inferred type)
     */
    public record Result(String name, MilType type) {
        /**
         * Checks the parts.
         *
         * @throws NullPointerException when {@code name} or {@code type} is null
         */
        public Result {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(type, "type");
        }
    }

    /**
     * Copies the lists.
     *
     * @throws IllegalArgumentException when there is no result
     */
    public Statement {
        results = List.copyOf(results);
        Objects.requireNonNull(op, "op");
        arguments = List.copyOf(arguments);
        attributes = List.copyOf(attributes);
        if (results.isEmpty()) throw new IllegalArgumentException("a statement needs at least one result");
    }

    /**
     * The name of the first result.
     *
     * @return the name, e.g. {@code y}
     */
    public String name() { return results.get(0).name(); }

    /**
     * An argument by key.
     *
     * @param key the operand name, e.g. {@code x}
     * @return its value, or empty when the statement has no such argument
     */
    public Optional<Operand> argument(String key) {
        for (Argument a : arguments) if (a.key().equals(key)) return Optional.of(a.value());
        return Optional.empty();
    }

    /**
     * An attribute by key.
     *
     * @param key the attribute name, e.g. {@code name}
     * @return its value, or empty when the statement has no such attribute
     */
    public Optional<Literal> attribute(String key) {
        for (Attribute a : attributes) if (a.key().equals(key)) return Optional.of(a.value());
        return Optional.empty();
    }
}
