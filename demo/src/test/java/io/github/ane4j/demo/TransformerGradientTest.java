package io.github.ane4j.demo;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The whole model's backward pass (kernel ops and Java side together) against finite differences of the
 * loss, for samples of every parameter tensor.
 */
class TransformerGradientTest {
    @ParameterizedTest(name = "tied classifier: {0}")
    @ValueSource(booleans = {true, false})
    void everyParameterGradientMatchesFiniteDifferencesOfTheLoss(boolean tied) {
        ModelConfig config = new ModelConfig(7, 8, 12, 2, 2, 5, tied);
        SplitMix64 random = new SplitMix64(29);
        ModelWeights weights = ModelWeights.zeros(config);
        for (Tensor t : weights.tensors()) {
            float[] values = GradientCheck.random(random, t.data().length, 0.5);
            if (!t.decayed()) for (int i = 0; i < values.length; i++) values[i] += 1; // RMSNorm gains around 1
            System.arraycopy(values, 0, t.data(), 0, values.length);
        }
        int[] tokens = {1, 6, 0, 3, 3}, targets = {6, 0, 3, 3, 2};
        JavaOps ops = new JavaOps(config);
        Transformer model = new Transformer(config, ops);

        ops.loadWeights(weights);
        float[] dlogits = new float[config.vocab() * config.seq()];
        CrossEntropy.loss(model.forward(weights, tokens), targets, config.vocab(), config.seq(), dlogits, 1f / config.seq());
        ModelWeights grads = ModelWeights.zeros(config);
        model.backward(grads, tokens, dlogits);

        for (int i = 0; i < weights.tensors().size(); i++) {
            Tensor tensor = weights.tensors().get(i);
            GradientCheck.check(tensor.name(), tensor.data(), grads.tensors().get(i).data(), () -> {
                ops.loadWeights(weights);
                return CrossEntropy.loss(model.forward(weights, tokens), targets, config.vocab(), config.seq(), null, 0);
            }, 12, random);
        }
    }
}
