package io.github.ane4j.demo;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * What the demo's Vector API loops share: the vector shape, and the two operations whose Vector API
 * versions ({@code lanewise(EXP)}, {@code reduceLanes(ADD)}) may round differently when the JIT compiles
 * them than when it interprets them. Here both use only correctly rounded IEEE operations, so every run
 * computes the same bits and a resumed run retraces an uninterrupted one exactly.
 */
final class Vectors {
    static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    static final int LANES = SPECIES.length();

    private static final float LOG2_E = 1.44269504f, LN2_HIGH = 0.693359375f, LN2_LOW = -2.12194440e-4f;
    /** 1.5·2^23: adding it rounds a float of magnitude below 2^22 to an integer, held in the low mantissa bits. */
    private static final float ROUNDER = 12582912f;
    private static final float MIN_EXPONENT = -87.3f, MAX_EXPONENT = 88.3f;
    /** 1/6!, 1/5!, … 1/0!: with 1/7! first, the Taylor polynomial of e^r in Horner order. */
    private static final float[] TAYLOR = {1f / 720, 1f / 120, 1f / 24, 1f / 6, 0.5f, 1f, 1f};

    private Vectors() {}

    /**
     * e^x per lane, within 2 ulp of {@link Math#exp} for x in [−87.3, 88.3]; 0 below (−∞ included), e^88.3
     * above. Cody–Waite: x = k·ln 2 + r with |r| ≤ ln2/2, e^r by its degree-7 Taylor polynomial, times 2^k
     * built in the exponent bits.
     */
    static FloatVector exp(FloatVector x) {
        VectorMask<Float> underflow = x.lt(MIN_EXPONENT);
        FloatVector clamped = x.max(MIN_EXPONENT).min(MAX_EXPONENT);
        FloatVector rounded = clamped.fma(LOG2_E, ROUNDER);
        FloatVector k = rounded.sub(ROUNDER);
        FloatVector r = clamped.sub(k.mul(LN2_HIGH)).sub(k.mul(LN2_LOW)); // k·LN2_HIGH is exact
        FloatVector p = FloatVector.broadcast(SPECIES, 1f / 5040);
        for (float c : TAYLOR) p = p.fma(r, FloatVector.broadcast(SPECIES, c));
        IntVector exponent = rounded.reinterpretAsInts().sub(Float.floatToRawIntBits(ROUNDER)).add(127)
                .lanewise(VectorOperators.LSHL, 23);
        return p.mul(exponent.reinterpretAsFloats()).blend(0f, underflow);
    }

    /** The sum of the lanes, added in lane order. */
    static float sum(FloatVector v) {
        float[] lanes = v.toArray();
        float sum = 0;
        for (float lane : lanes) sum += lane;
        return sum;
    }
}
