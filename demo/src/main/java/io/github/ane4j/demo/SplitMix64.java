package io.github.ane4j.demo;

/**
 * A seeded pseudo-random generator (SplitMix64, Steele, Lea and Flood 2014) whose whole state is one
 * {@code long}, so a checkpoint can save it and a resumed run draws the same numbers. Not thread-safe.
 */
final class SplitMix64 {
    private long state;

    SplitMix64(long state) { this.state = state; }

    /** The state: a generator created with it continues this one's sequence. */
    long state() { return state; }

    long nextLong() {
        long z = (state += 0x9E3779B97F4A7C15L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Uniform in [0, 1), 53 random bits. */
    double nextDouble() { return (nextLong() >>> 11) * 0x1.0p-53; }

    /** Uniform in [0, bound). */
    int nextInt(int bound) {
        if (bound <= 0) throw new IllegalArgumentException("bound must be positive, got " + bound);
        return (int) Math.floorMod(nextLong(), (long) bound); // bias below 2^-32 for the bounds used here
    }

    /** Standard normal (Box–Muller; one draw per call keeps the state a single long). */
    double nextGaussian() {
        double u = 1.0 - nextDouble(); // (0, 1]: log(u) is finite
        return Math.sqrt(-2.0 * Math.log(u)) * Math.cos(2.0 * Math.PI * nextDouble());
    }
}
