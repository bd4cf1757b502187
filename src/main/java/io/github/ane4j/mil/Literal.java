package io.github.ane4j.mil;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A constant written in MIL text: the value of a {@code const}, an attribute, or an inline op argument.
 * Immutable.
 */
public sealed interface Literal permits Literal.Numbers, Literal.Strings, Literal.BlobFile, Literal.Dict {

    /**
     * The declared type written before the value.
     *
     * @return e.g. {@code tensor<int32, [4]>} or {@code fp16}
     */
    MilType type();

    /**
     * A bool scalar {@code bool(value)}.
     *
     * @param value the flag
     * @return the literal, held as 1 or 0
     */
    static Numbers bool(boolean value) { return new Numbers(MilType.scalar(ElementType.BOOL), new double[] {value ? 1 : 0}); }

    /**
     * An int32 scalar {@code int32(value)}.
     *
     * @param value the number (not range-checked here; the compiler rejects what int32 cannot hold)
     * @return the literal
     */
    static Numbers int32(long value) { return new Numbers(MilType.scalar(ElementType.INT32), new double[] {value}); }

    /**
     * A string scalar {@code string("value")}.
     *
     * @param value the string, unescaped
     * @return the literal
     */
    static Strings string(String value) { return new Strings(MilType.scalar(ElementType.STRING), List.of(value)); }

    /**
     * Numbers or bools: a scalar {@code fp16(0.125)} or {@code tensor<int32, []>(1)} (rank 0: one bare
     * value), or a list {@code tensor<int32, [4]>([0, 1, 3, 2])} (rank 1 and more: values in brackets).
     * Bools are held as 1 and 0; integers exactly; floats as the double the text denotes (the compiler
     * rounds them to the declared dtype).
     *
     * @param type   a numeric or bool scalar or tensor type
     * @param values one value per element of {@code type}, row-major (copied on the way in and out)
     */
    record Numbers(MilType type, double[] values) implements Literal {
        /**
         * Checks the values against the type.
         *
         * @throws IllegalArgumentException when the type is a dict, string, or the count disagrees with it
         */
        public Numbers {
            Objects.requireNonNull(type, "type");
            values = values.clone();
            ElementType dt = MilType.elementType(type);
            if (dt == ElementType.STRING) throw new IllegalArgumentException("strings are Literal.Strings");
            checkCount(type, values.length);
        }

        /**
         * The values.
         *
         * @return one value per element, row-major; a copy
         */
        @Override
        public double[] values() { return values.clone(); }

        /**
         * One element.
         *
         * @param i row-major index, {@code 0 <= i < count()}
         * @return element {@code i}
         * @throws ArrayIndexOutOfBoundsException when {@code i} is out of range
         */
        public double value(int i) { return values[i]; }

        /**
         * Number of elements.
         *
         * @return 1 for a scalar, else the type's element count
         */
        public int count() { return values.length; }

        @Override
        public boolean equals(Object o) {
            return o instanceof Numbers n && type.equals(n.type) && Arrays.equals(values, n.values);
        }

        @Override
        public int hashCode() { return type.hashCode() * 31 + Arrays.hashCode(values); }

        @Override
        public String toString() { return MilPrinter.literal(this); }
    }

    /**
     * Strings: {@code string("valid")} or a list of them (written in brackets from rank 1).
     *
     * @param type   a string scalar or tensor type
     * @param values one string per element
     */
    record Strings(MilType type, List<String> values) implements Literal {
        /**
         * Checks the values against the type.
         *
         * @throws IllegalArgumentException when the type is not a string type or the count disagrees with it
         */
        public Strings {
            Objects.requireNonNull(type, "type");
            values = List.copyOf(values);
            if (MilType.elementType(type) != ElementType.STRING) throw new IllegalArgumentException(type.text() + " is not a string type");
            checkCount(type, values.size());
        }

        @Override
        public String toString() { return MilPrinter.literal(this); }
    }

    /**
     * A tensor stored in a weight file: {@code tensor<fp16, [64, 64]>(BLOBFILE(path = string("@model_path/weights/w.bin"),
     * offset = uint64(64)))}.
     *
     * @param type   the tensor type (its shape and dtype say how many bytes the file holds)
     * @param path   the file's path as written, e.g. {@code @model_path/weights/w.bin}
     * @param offset byte offset of the tensor's 64-byte metadata record in the file (unsigned)
     */
    record BlobFile(MilType.Tensor type, String path, long offset) implements Literal {
        /**
         * Checks the parts.
         *
         * @throws NullPointerException when {@code type} or {@code path} is null
         */
        public BlobFile {
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(path, "path");
        }

        @Override
        public String toString() { return MilPrinter.literal(this); }
    }

    /**
     * A dict of string pairs, as in {@code buildInfo}: {@code dict<string, string>({{"k", "v"}})}.
     *
     * @param type    the dict type as written (keys and values are string scalars or rank-0 string tensors)
     * @param entries the pairs in written order
     */
    record Dict(MilType.Dict type, List<Map.Entry<String, String>> entries) implements Literal {
        /**
         * Copies the entries.
         *
         * @throws NullPointerException when {@code type}, an entry, or a key or value is null
         */
        public Dict {
            Objects.requireNonNull(type, "type");
            entries = entries.stream().map(e -> Map.entry(e.getKey(), e.getValue())).toList();
        }

        @Override
        public String toString() { return MilPrinter.literal(this); }
    }

    private static void checkCount(MilType type, int count) {
        long needed = type instanceof MilType.Tensor t ? t.elementCount() : 1;
        if (count != needed) {
            throw new IllegalArgumentException(type.text() + " needs " + needed + " value" + (needed == 1 ? "" : "s")
                    + ", got " + count);
        }
    }
}
