package io.github.ane4j.mil;

import java.util.Arrays;
import java.util.Objects;

/**
 * The declared type of a MIL value or literal: a tensor with static dimensions, a scalar, or (in
 * program attributes only) a dict. A scalar and a rank-0 tensor are different spellings of the same
 * value type, which {@code equals} tells apart (it compares spellings).
 */
public sealed interface MilType permits MilType.Tensor, MilType.Scalar, MilType.Dict {

    /**
     * The MIL spelling.
     *
     * @return e.g. {@code tensor<fp16, [1, 64, 1, 64]>}, {@code int32} or {@code dict<string, string>}
     */
    String text();

    /**
     * A tensor type.
     *
     * @param dtype element type
     * @param shape dimensions, outermost first (copied; none for rank 0)
     * @return the type
     * @throws IllegalArgumentException when a dimension is not positive
     */
    static Tensor tensor(ElementType dtype, long... shape) { return new Tensor(dtype, shape); }

    /**
     * A scalar type.
     *
     * @param dtype element type
     * @return the type
     */
    static Scalar scalar(ElementType dtype) { return new Scalar(dtype); }

    /**
     * The element type of a tensor or scalar type.
     *
     * @param t a tensor or scalar type
     * @return its dtype
     * @throws IllegalArgumentException for a dict type
     */
    static ElementType elementType(MilType t) {
        return switch (t) {
            case Tensor tensor -> tensor.dtype();
            case Scalar scalar -> scalar.dtype();
            case Dict dict -> throw new IllegalArgumentException(dict.text() + " has no element type");
        };
    }

    /**
     * The dimensions of a tensor or scalar type.
     *
     * @param t a tensor or scalar type
     * @return its dimensions, outermost first (a copy); empty for a scalar
     * @throws IllegalArgumentException for a dict type
     */
    static long[] shape(MilType t) {
        return switch (t) {
            case Tensor tensor -> tensor.shape();
            case Scalar scalar -> new long[0];
            case Dict dict -> throw new IllegalArgumentException(dict.text() + " has no shape");
        };
    }

    /**
     * {@code tensor<dtype, [d0, d1, …]>}: static positive dimensions, outermost first (rank 0 allowed).
     *
     * @param dtype element type
     * @param shape dimensions (copied on the way in and out)
     */
    record Tensor(ElementType dtype, long[] shape) implements MilType {
        /**
         * Copies the shape.
         *
         * @throws IllegalArgumentException when a dimension is not positive
         */
        public Tensor {
            Objects.requireNonNull(dtype, "dtype");
            shape = shape.clone();
            for (long d : shape) {
                if (d <= 0) throw new IllegalArgumentException("dimension must be positive, got " + d + " in " + Arrays.toString(shape));
            }
        }

        /**
         * The dimensions.
         *
         * @return the dimensions, outermost first; a copy
         */
        @Override
        public long[] shape() { return shape.clone(); }

        /**
         * Number of axes.
         *
         * @return the rank, 0 for a rank-0 tensor
         */
        public int rank() { return shape.length; }

        /**
         * One dimension.
         *
         * @param axis 0-based axis, {@code 0 <= axis < rank()}
         * @return dimension {@code axis}
         * @throws ArrayIndexOutOfBoundsException when the axis is out of range
         */
        public long dim(int axis) { return shape[axis]; }

        /**
         * Number of elements.
         *
         * @return the product of the dimensions (1 for rank 0), or {@link Long#MAX_VALUE} when it overflows
         */
        public long elementCount() {
            long n = 1;
            for (long d : shape) {
                if (n > Long.MAX_VALUE / d) return Long.MAX_VALUE;
                n *= d;
            }
            return n;
        }

        @Override
        public String text() {
            StringBuilder sb = new StringBuilder("tensor<").append(dtype.milName()).append(", [");
            for (int i = 0; i < shape.length; i++) sb.append(i == 0 ? "" : ", ").append(shape[i]);
            return sb.append("]>").toString();
        }

        @Override
        public boolean equals(Object o) { return o instanceof Tensor t && dtype == t.dtype && Arrays.equals(shape, t.shape); }

        @Override
        public int hashCode() { return dtype.hashCode() * 31 + Arrays.hashCode(shape); }

        @Override
        public String toString() { return text(); }
    }

    /**
     * A scalar such as {@code int32} or {@code bool}.
     *
     * @param dtype element type
     */
    record Scalar(ElementType dtype) implements MilType {
        /**
         * Checks the dtype.
         *
         * @throws NullPointerException when {@code dtype} is null
         */
        public Scalar { Objects.requireNonNull(dtype, "dtype"); }

        @Override
        public String text() { return dtype.milName(); }

        @Override
        public String toString() { return text(); }
    }

    /**
     * {@code dict<key, value>}, as in the program attribute {@code buildInfo}.
     *
     * @param key   the key type
     * @param value the value type
     */
    record Dict(MilType key, MilType value) implements MilType {
        /**
         * Checks the parts.
         *
         * @throws NullPointerException when {@code key} or {@code value} is null
         */
        public Dict {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value");
        }

        @Override
        public String text() { return "dict<" + key.text() + ", " + value.text() + ">"; }

        @Override
        public String toString() { return text(); }
    }
}
