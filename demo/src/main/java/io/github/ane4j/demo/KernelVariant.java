package io.github.ane4j.demo;

import io.github.ane4j.Ane;

/**
 * The ways the ops of {@link TransformerOps} can get their weights on the bridge; the demo trains with
 * {@link #DYNAMIC} and compares it with the others on request.
 */
enum KernelVariant {
    DYNAMIC("dynamic weights", "weights are function parameters: compiled once, rewritten in place every step"),
    RECOMPILE("recompiled", "weights baked in as BLOBFILE constants: every kernel recompiled after every optimizer step"),
    PACKED("packed weights", "weights packed into the spatial axis of the inputs (the upstream's training_dynamic layout)");

    private final String label;
    private final String description;

    KernelVariant(String label, String description) {
        this.label = label;
        this.description = description;
    }

    /** A short name for tables. */
    String label() { return label; }

    /** How this variant holds the weights. */
    String description() { return description; }

    /** The ops of this variant for a model of {@code config}: the training kernels compiled on {@code ane}'s
     *  backend (once, or, for {@link #RECOMPILE}, again at every weight update). */
    TransformerOps open(Ane ane, ModelConfig config) {
        return new BridgeOps(ane, config, this);
    }
}
