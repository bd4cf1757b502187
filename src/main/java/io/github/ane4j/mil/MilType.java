package io.github.ane4j.mil;

import java.util.Arrays;
import java.util.Objects;

/**
 * The declared type of a MIL value or literal: a tensor with static dimensions, a scalar, or (in
 * program attributes only) a dict. A scalar and a rank-0 tensor are different spellings of the same
 * value type; {@link #sameValueType} treats them as equal, {@code equals} does not (it compares spellings).
 */
public sealed interface MilType permits MilType.Tensor, MilType.Scalar, MilType.Dict {

    /** The MIL spelling, e.g. {@code tensor<fp16, [1, 64, 1, 64]>}, {@code int32} or {@code dict<string, string>}. */
    String text();

    /** A tensor type; the shape array is copied.
     *  @throws IllegalArgumentException when a dimension is not positive */
    static Tensor tensor(ElementType dtype, long... shape) { return new Tensor(dtype, shape); }

    /** A scalar type. */
    static Scalar scalar(ElementType dtype) { return new Scalar(dtype); }

    /** Whether {@code a} and {@code b} describe the same values: equal, or a scalar and a rank-0 tensor of
     *  one dtype. */
    static boolean sameValueType(MilType a, MilType b) {
        if (a instanceof Dict || b instanceof Dict) return a.equals(b);
        return elementType(a) == elementType(b) && Arrays.equals(shape(a), shape(b));
    }

    /** The element type of a tensor or scalar type.
     *  @throws IllegalArgumentException for a dict type */
    static ElementType elementType(MilType t) {
        return switch (t) {
            case Tensor tensor -> tensor.dtype();
            case Scalar scalar -> scalar.dtype();
            case Dict dict -> throw new IllegalArgumentException(dict.text() + " has no element type");
        };
    }

    /** The dimensions of a tensor type; an empty array for a scalar.
     *  @throws IllegalArgumentException for a dict type */
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
        /** @throws IllegalArgumentException when a dimension is not positive */
        public Tensor {
            Objects.requireNonNull(dtype, "dtype");
            shape = shape.clone();
            for (long d : shape) {
                if (d <= 0) throw new IllegalArgumentException("dimension must be positive, got " + d + " in " + Arrays.toString(shape));
            }
        }

        @Override
        public long[] shape() { return shape.clone(); }

        /** Number of axes. */
        public int rank() { return shape.length; }

        /** Dimension {@code axis} (0-based). */
        public long dim(int axis) { return shape[axis]; }

        /** Number of elements; {@link Long#MAX_VALUE} when the product overflows. */
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

    /** A scalar such as {@code int32} or {@code bool}. */
    record Scalar(ElementType dtype) implements MilType {
        public Scalar { Objects.requireNonNull(dtype, "dtype"); }

        @Override
        public String text() { return dtype.milName(); }

        @Override
        public String toString() { return text(); }
    }

    /** {@code dict<key, value>}, as in the program attribute {@code buildInfo}. */
    record Dict(MilType key, MilType value) implements MilType {
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
