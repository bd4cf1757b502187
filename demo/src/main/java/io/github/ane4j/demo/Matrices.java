package io.github.ane4j.demo;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

import static io.github.ane4j.demo.Vectors.LANES;
import static io.github.ane4j.demo.Vectors.SPECIES;

/**
 * Products and transposes of row-major float matrices stored at an offset in an array: the one piece of
 * heavy arithmetic under {@link Linear} and {@link CausalAttention}.
 *
 * <p>The product uses the Vector API ({@code jdk.incubator.vector}): per vector of columns, four rows of
 * the result keep their sums in registers across the whole inner dimension and share each load of the
 * right operand — which the JIT does not do for the same loops written with scalars
 * ({@code VectorApiBenchmark} in the test sources measures the difference). Lanes past the end of a row
 * are masked off; each sum is a fixed sequence of fused multiply-adds, so the bits do not depend on the
 * blocking or on the JIT.
 */
final class Matrices {
    private Matrices() {}

    /**
     * {@code C = A·B} ({@code C += A·B} when {@code accumulate}) for {@code A [rows][inner]} at {@code a[aOffset]},
     * {@code B [inner][cols]} at {@code b[bOffset]}, {@code C [rows][cols]} at {@code c[cOffset]}.
     */
    static void multiply(float[] c, int cOffset, boolean accumulate, float[] a, int aOffset, float[] b, int bOffset,
                         int rows, int inner, int cols) {
        for (int r0 = 0; r0 < rows; r0 += 4) {
            // Past the last row the last row is computed again: the same sums from the same start, stored again.
            int r1 = Math.min(r0 + 1, rows - 1), r2 = Math.min(r0 + 2, rows - 1), r3 = Math.min(r0 + 3, rows - 1);
            for (int j = 0; j < cols; j += LANES) {
                VectorMask<Float> m = SPECIES.indexInRange(j, cols);
                FloatVector s0 = start(c, accumulate, cOffset + r0 * cols + j, m), s1 = start(c, accumulate, cOffset + r1 * cols + j, m);
                FloatVector s2 = start(c, accumulate, cOffset + r2 * cols + j, m), s3 = start(c, accumulate, cOffset + r3 * cols + j, m);
                for (int i = 0; i < inner; i++) {
                    FloatVector bi = FloatVector.fromArray(SPECIES, b, bOffset + i * cols + j, m);
                    s0 = bi.fma(FloatVector.broadcast(SPECIES, a[aOffset + r0 * inner + i]), s0);
                    s1 = bi.fma(FloatVector.broadcast(SPECIES, a[aOffset + r1 * inner + i]), s1);
                    s2 = bi.fma(FloatVector.broadcast(SPECIES, a[aOffset + r2 * inner + i]), s2);
                    s3 = bi.fma(FloatVector.broadcast(SPECIES, a[aOffset + r3 * inner + i]), s3);
                }
                s3.intoArray(c, cOffset + r3 * cols + j, m);
                s2.intoArray(c, cOffset + r2 * cols + j, m);
                s1.intoArray(c, cOffset + r1 * cols + j, m);
                s0.intoArray(c, cOffset + r0 * cols + j, m);
            }
        }
    }

    /** The transpose {@code [cols][rows]} of the {@code rows × cols} matrix at {@code a[offset]}. */
    static float[] transpose(float[] a, int offset, int rows, int cols) {
        float[] t = new float[cols * rows];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) t[c * rows + r] = a[offset + r * cols + c];
        }
        return t;
    }

    /** The starting sums of one vector of the result: its contents, or zeros. */
    private static FloatVector start(float[] c, boolean accumulate, int offset, VectorMask<Float> m) {
        return accumulate ? FloatVector.fromArray(SPECIES, c, offset, m) : FloatVector.zero(SPECIES);
    }
}
