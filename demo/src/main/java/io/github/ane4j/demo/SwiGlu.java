package io.github.ane4j.demo;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

import static io.github.ane4j.demo.Vectors.LANES;
import static io.github.ane4j.demo.Vectors.SPECIES;

/**
 * The SwiGLU gate, element-wise: {@code g = silu(h1)·h3} with {@code silu(a) = a·σ(a)},
 * {@code σ(a) = 1/(1 + e^−a)}. Vector API loops (see {@link Linear}), lanes past {@code n} masked off.
 */
final class SwiGlu {

    private SwiGlu() {}

    /** {@code g[i] = silu(h1[i])·h3[i]} for the first {@code n} elements. Overwrites {@code g}. */
    static void forward(float[] g, float[] h1, float[] h3, int n) {
        for (int i = 0; i < n; i += LANES) {
            VectorMask<Float> m = SPECIES.indexInRange(i, n);
            FloatVector a = FloatVector.fromArray(SPECIES, h1, i, m);
            a.mul(sigmoid(a)).mul(FloatVector.fromArray(SPECIES, h3, i, m)).intoArray(g, i, m);
        }
    }

    /**
     * The gradients with respect to h1 and h3, given {@code dg}: {@code dh1 = dg·h3·σ(h1)·(1 + h1·(1 − σ(h1)))},
     * {@code dh3 = dg·silu(h1)}. Overwrites {@code dh1} and {@code dh3}.
     */
    static void backward(float[] dh1, float[] dh3, float[] dg, float[] h1, float[] h3, int n) {
        for (int i = 0; i < n; i += LANES) {
            VectorMask<Float> m = SPECIES.indexInRange(i, n);
            FloatVector a = FloatVector.fromArray(SPECIES, h1, i, m), b = FloatVector.fromArray(SPECIES, h3, i, m);
            FloatVector d = FloatVector.fromArray(SPECIES, dg, i, m), s = sigmoid(a);
            d.mul(b).mul(s).mul(a.mul(s.neg().add(1f)).add(1f)).intoArray(dh1, i, m);
            d.mul(a).mul(s).intoArray(dh3, i, m);
        }
    }

    private static FloatVector sigmoid(FloatVector a) {
        return FloatVector.broadcast(SPECIES, 1f).div(Vectors.exp(a.neg()).add(1f));
    }
}
