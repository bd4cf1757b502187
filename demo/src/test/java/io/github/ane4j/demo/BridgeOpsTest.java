package io.github.ane4j.demo;

import io.github.ane4j.Ane;
import io.github.ane4j.Backend;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A whole forward and backward pass through the bridge kernels, in every weight layout, against the pure-Java
 * ops: the logits and every weight gradient the step produces agree within fp16 accumulation (the kernels
 * round to fp16 after every op; the Java ops compute in fp32). Both layers, a separate classifier, so every
 * op and every weight has a gradient to compare.
 */
class BridgeOpsTest {
    private static final ModelConfig CONFIG = new ModelConfig(11, 16, 32, 2, 2, 8, false);
    /** Allowed error as a fraction of the largest value of each compared tensor: about 40 fp16 roundoffs, for
     *  chains of some 30 rounded ops between the logits and the deepest gradients. */
    private static final double TOLERANCE = 0.02;

    @TestFactory
    Stream<DynamicTest> aTrainingStepOnTheKernelsMatchesTheJavaOps() {
        return Arrays.stream(KernelVariant.values()).map(variant -> DynamicTest.dynamicTest(variant.label(), () -> {
            ModelWeights weights = ModelWeights.initialized(CONFIG, new SplitMix64(5));
            SplitMix64 random = new SplitMix64(9);
            int[] tokens = new int[CONFIG.seq()], targets = new int[CONFIG.seq()];
            for (int t = 0; t < tokens.length; t++) {
                tokens[t] = (int) Math.floorMod(random.nextLong(), CONFIG.vocab());
                targets[t] = (int) Math.floorMod(random.nextLong(), CONFIG.vocab());
            }
            try (Ane ane = Ane.open(Backend.REFERENCE); TransformerOps kernels = variant.open(ane, CONFIG);
                 JavaOps java = new JavaOps(CONFIG)) {
                kernels.loadWeights(weights);
                java.loadWeights(weights);
                Transformer onKernels = new Transformer(CONFIG, kernels), inJava = new Transformer(CONFIG, java);
                float[] want = inJava.forward(weights, tokens).clone(), got = onKernels.forward(weights, tokens).clone();
                assertClose("logits", want, got);
                float[] dlogits = new float[want.length];
                CrossEntropy.loss(want, targets, CONFIG.vocab(), CONFIG.seq(), dlogits, 1f / CONFIG.seq());
                ModelWeights javaGrads = ModelWeights.zeros(CONFIG), kernelGrads = ModelWeights.zeros(CONFIG);
                inJava.backward(javaGrads, tokens, dlogits);
                onKernels.backward(kernelGrads, tokens, dlogits);
                List<Tensor> wantGrads = javaGrads.tensors(), gotGrads = kernelGrads.tensors();
                assertEquals(wantGrads.size(), gotGrads.size());
                for (int i = 0; i < wantGrads.size(); i++) {
                    assertClose(wantGrads.get(i).name() + " gradient", wantGrads.get(i).data(), gotGrads.get(i).data());
                }
            }
        }));
    }

    private static void assertClose(String what, float[] want, float[] got) {
        double max = 0, err = 0;
        for (int i = 0; i < want.length; i++) {
            max = Math.max(max, Math.abs(want[i]));
            err = Math.max(err, Math.abs(want[i] - got[i]));
        }
        assertTrue(max > 0, what + " is all zeros");
        assertTrue(err <= TOLERANCE * max, what + ": largest error " + err + " is " + err / max + " of the largest value " + max);
    }
}
