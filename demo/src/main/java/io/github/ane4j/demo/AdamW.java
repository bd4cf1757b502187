package io.github.ane4j.demo;

/**
 * Adam with decoupled weight decay (Loshchilov and Hutter), as PyTorch's {@code AdamW}: per parameter p
 * with gradient g, at step n (from 1),
 * <pre>
 *   m = β1·m + (1 − β1)·g            v = β2·v + (1 − β2)·g²
 *   p = p − lr·wd·p                   (only tensors marked {@link Tensor#decayed})
 *   p = p − lr·(m / (1 − β1ⁿ)) / (√(v / (1 − β2ⁿ)) + ε)
 * </pre>
 * The moments and the step count are the optimizer's state, saved in checkpoints.
 */
final class AdamW {
    static final double EPSILON = 1e-8;

    private final double beta1, beta2, weightDecay;
    private final ModelWeights m, v;
    private int step;

    /** Fresh state: zero moments, step 0. */
    AdamW(ModelConfig config, double beta1, double beta2, double weightDecay) {
        this(beta1, beta2, weightDecay, ModelWeights.zeros(config), ModelWeights.zeros(config), 0);
    }

    /** Restored state (from a checkpoint). */
    AdamW(double beta1, double beta2, double weightDecay, ModelWeights m, ModelWeights v, int step) {
        if (!(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException("betas must be in [0, 1), got " + beta1 + " and " + beta2);
        }
        if (!(weightDecay >= 0)) throw new IllegalArgumentException("weight decay must be >= 0, got " + weightDecay);
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.weightDecay = weightDecay;
        this.m = m;
        this.v = v;
        this.step = step;
    }

    /** Steps taken so far. */
    int step() { return step; }

    /** First moments (the optimizer's state; shares its arrays). */
    ModelWeights firstMoments() { return m; }

    /** Second moments (the optimizer's state; shares its arrays). */
    ModelWeights secondMoments() { return v; }

    /** One step: updates {@code params} in place from {@code grads} with learning rate {@code lr}. */
    void update(ModelWeights params, ModelWeights grads, double lr) {
        step++;
        double correction1 = 1 - Math.pow(beta1, step), correction2 = 1 - Math.pow(beta2, step);
        float b1 = (float) beta1, b2 = (float) beta2;
        var tensors = params.tensors();
        for (int i = 0; i < tensors.size(); i++) {
            Tensor param = tensors.get(i);
            float[] p = param.data(), g = grads.tensors().get(i).data();
            float[] mi = m.tensors().get(i).data(), vi = v.tensors().get(i).data();
            float decay = param.decayed() ? (float) (1 - lr * weightDecay) : 1f;
            for (int j = 0; j < p.length; j++) {
                mi[j] = b1 * mi[j] + (1 - b1) * g[j];
                vi[j] = b2 * vi[j] + (1 - b2) * g[j] * g[j];
                double mHat = mi[j] / correction1, vHat = vi[j] / correction2;
                p[j] = (float) (p[j] * decay - lr * mHat / (Math.sqrt(vHat) + EPSILON));
            }
        }
    }
}
