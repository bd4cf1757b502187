package io.github.ane4j.mil;

import io.github.ane4j.DType;

import java.util.Arrays;
import java.util.Objects;

/**
 * A named tensor of a MIL function signature: a parameter (one input surface) or a returned value (one
 * output surface). Immutable.
 *
 * @param name  the MIL name
 * @param dtype element type
 * @param shape static dimensions, outermost first (a copy is kept; rank 0 means a scalar)
 */
public record TensorSpec(String name, DType dtype, long[] shape) {
    /** Checks the dimensions and copies the shape.
     *  @throws IllegalArgumentException when a dimension is not positive or the byte size exceeds 2^63 - 1 */
    public TensorSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(dtype, "dtype");
        shape = shape.clone();
        long bytes = dtype.byteSize();
        for (long d : shape) {
            if (d <= 0) throw new IllegalArgumentException("dimension must be positive, got " + d + " in " + name);
            if (bytes > Long.MAX_VALUE / d) {
                throw new IllegalArgumentException(name + " " + Arrays.toString(shape) + " of " + dtype.milName()
                        + " holds more than 2^63 - 1 bytes");
            }
            bytes *= d;
        }
    }

    /** {@return a copy of the dimensions, outermost first} */
    @Override
    public long[] shape() { return shape.clone(); }

    /** {@return the number of elements (product of the dimensions; 1 for rank 0)} */
    public long elementCount() {
        long n = 1;
        for (long d : shape) n = Math.multiplyExact(n, d);
        return n;
    }

    /** {@return the surface size in bytes: element count times the dtype size} */
    public long byteSize() { return Math.multiplyExact(elementCount(), dtype.byteSize()); }

    /** {@return the MIL spelling of the type, e.g. {@code tensor<fp16, [1, 64, 1, 64]>}} */
    public String milType() {
        StringBuilder sb = new StringBuilder("tensor<").append(dtype.milName()).append(", [");
        for (int i = 0; i < shape.length; i++) sb.append(i == 0 ? "" : ", ").append(shape[i]);
        return sb.append("]>").toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorSpec t && name.equals(t.name) && dtype == t.dtype && Arrays.equals(shape, t.shape);
    }

    @Override
    public int hashCode() { return (name.hashCode() * 31 + dtype.hashCode()) * 31 + Arrays.hashCode(shape); }

    @Override
    public String toString() { return milType() + " " + name; }
}
