package io.github.ane4j.demo;

/** Clipping of the gradient by its global norm, over every parameter at once. */
final class GradientClipping {
    private GradientClipping() {}

    /**
     * Scales every gradient by {@code maxNorm / norm} when the global L2 norm exceeds {@code maxNorm} (no
     * clipping when {@code maxNorm} is 0), and returns the norm before scaling.
     */
    static double clip(ModelWeights grads, double maxNorm) {
        double squares = 0;
        for (Tensor t : grads.tensors()) {
            for (float g : t.data()) squares += (double) g * g;
        }
        double norm = Math.sqrt(squares);
        if (maxNorm > 0 && norm > maxNorm) {
            float scale = (float) (maxNorm / norm);
            for (Tensor t : grads.tensors()) {
                float[] g = t.data();
                for (int i = 0; i < g.length; i++) g[i] *= scale;
            }
        }
        return norm;
    }
}
