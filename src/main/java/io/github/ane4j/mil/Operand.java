package io.github.ane4j.mil;

import java.util.List;
import java.util.Objects;

/** The value of an op argument: a named value, a tuple of named values, or an inline literal. Immutable. */
public sealed interface Operand permits Operand.Name, Operand.Tuple, Operand.Inline {

    /**
     * A reference to an earlier value (a parameter or a statement result): {@code x = x}.
     *
     * @param name the referenced value's name
     */
    record Name(String name) implements Operand {
        /**
         * Checks the name.
         *
         * @throws NullPointerException when {@code name} is null
         */
        public Name { Objects.requireNonNull(name, "name"); }
    }

    /**
     * Several references, as in {@code concat(values = (a, b, c))}.
     *
     * @param names the referenced values' names in written order (copied)
     */
    record Tuple(List<String> names) implements Operand {
        /**
         * Copies the names.
         *
         * @throws IllegalArgumentException for an empty tuple
         */
        public Tuple {
            names = List.copyOf(names);
            if (names.isEmpty()) throw new IllegalArgumentException("a tuple needs at least one name");
        }
    }

    /**
     * A literal written in place, as in {@code transpose_y = true} or {@code mode = string("EXACT")}.
     *
     * @param literal the value written
     */
    record Inline(Literal literal) implements Operand {
        /**
         * Checks the literal.
         *
         * @throws NullPointerException when {@code literal} is null
         */
        public Inline { Objects.requireNonNull(literal, "literal"); }
    }
}
