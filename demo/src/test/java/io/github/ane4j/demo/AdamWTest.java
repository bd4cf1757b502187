package io.github.ane4j.demo;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Two AdamW steps on every parameter of a model of size 1, against values worked out by hand
 * (lr 0.1, weight decay 0.01, betas 0.9/0.99, p = 0.5, gradients 0.2 then −0.1):
 * <pre>
 * step 1: m = 0.02, v = 0.0004; m̂ = 0.2, v̂ = 0.04
 *         decayed p = 0.5·(1 − 0.001) − 0.1·0.2/(0.2 + 1e-8) = 0.399500005
 *         RMSNorm gain p = 0.5 − 0.1·0.2/(0.2 + 1e-8)   = 0.400000005
 * step 2: m = 0.9·0.02 − 0.01 = 0.008, v = 0.99·0.0004 + 0.0001 = 0.000496
 *         m̂ = 0.008/0.19 = 0.0421053, v̂ = 0.000496/0.0199 = 0.0249246, update = 0.1·m̂/√v̂ = 0.0266704
 *         decayed p = 0.399500005·0.999 − 0.0266704 = 0.3724306; gain p = 0.400000005 − 0.0266704 = 0.3733301
 * </pre>
 */
class AdamWTest {
    private static final ModelConfig ONE = new ModelConfig(1, 1, 1, 1, 1, 1, false);

    @Test
    void twoStepsMatchHandComputedValues() {
        ModelWeights params = ModelWeights.zeros(ONE), grads = ModelWeights.zeros(ONE);
        for (Tensor t : params.tensors()) t.data()[0] = 0.5f;
        AdamW adam = new AdamW(ONE, 0.9, 0.99, 0.01);

        setGradients(grads, 0.2f);
        adam.update(params, grads, 0.1);
        assertValues(params, 0.3995000050, 0.4000000050);
        assertEquals(1, adam.step());

        setGradients(grads, -0.1f);
        adam.update(params, grads, 0.1);
        assertValues(params, 0.3724305638, 0.3733300638);
        assertEquals(0.008, adam.firstMoments().tensors().getFirst().data()[0], 1e-8);
        assertEquals(0.000496, adam.secondMoments().tensors().getFirst().data()[0], 1e-9);
    }

    @Test
    void aZeroGradientOnlyDecays() {
        ModelWeights params = ModelWeights.zeros(ONE), grads = ModelWeights.zeros(ONE);
        for (Tensor t : params.tensors()) t.data()[0] = 2f;
        new AdamW(ONE, 0.9, 0.99, 0.5).update(params, grads, 0.1);
        assertValues(params, 2 * (1 - 0.1 * 0.5), 2);
    }

    private static void setGradients(ModelWeights grads, float g) {
        for (Tensor t : grads.tensors()) t.data()[0] = g;
    }

    private static void assertValues(ModelWeights params, double decayed, double gain) {
        for (Tensor t : params.tensors()) assertEquals(t.decayed() ? decayed : gain, t.data()[0], 1e-6, t.name());
    }
}
