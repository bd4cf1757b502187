package io.github.ane4j.demo;

/**
 * The part of a training step that runs as kernels on the bridge: the forward ops and the activation
 * gradients of the transformer, on named activation buffers ({@link Activation}) that the implementation
 * owns. Java keeps the rest (embedding, residual adds, loss, weight gradients, AdamW; see
 * {@link Transformer}).
 *
 * <p>Each op reads and writes the buffers its documentation names, of one layer {@code l} (the head ops
 * of the single head slot). An implementation is free to hold the buffers anywhere: {@link JavaOps}
 * keeps float arrays; a kernel-backed implementation keeps them in surfaces and can alias one kernel's
 * output as the next one's input, so Java touches only what it {@link #read}s and {@link #write}s.
 * Numbers are floats at the interface; an implementation may compute in fp16.
 *
 * <p>Order: within a step, the ops run as {@link Transformer} calls them, each backward op after the
 * forward op of the same layer and window, which it may rely on (e.g. attention's saved probabilities).
 * Weights: every op uses the weights of the last {@link #loadWeights} call. Threads: an implementation
 * may be confined to the thread that created it (kernels are). Errors: a bad activation slot or array
 * length throws IndexOutOfBoundsException or IllegalArgumentException before anything runs.
 */
interface TransformerOps extends AutoCloseable {
    /** What runs the ops, for the demo's output, e.g. {@code "pure Java"}. */
    String description();

    /**
     * Makes the following ops use these weights: the values are copied (converted to fp16 into weight
     * surfaces, for kernels), so later changes to {@code weights} take effect only at the next call. Called
     * once at start and after every optimizer step; its time is the demo's "weight writes".
     *
     * @throws IllegalArgumentException when {@code weights} has another config than the kernels
     */
    void loadWeights(ModelWeights weights);

    /**
     * The contents of activation {@code a}'s buffer {@code slot} as {@code float[a.length(config)]},
     * channel-first. The array belongs to the implementation: do not modify it; it stays valid until the
     * next op, {@code write} or {@code loadWeights} call.
     *
     * @throws IndexOutOfBoundsException unless 0 &lt;= slot &lt; {@code a.slots(config)}
     */
    float[] read(Activation a, int slot);

    /** {@link #read(Activation, int)} of a {@link Activation.Scope#HEAD} activation's only slot. */
    default float[] read(Activation a) { return read(a, 0); }

    /**
     * Sets activation {@code a}'s buffer {@code slot} to a copy of {@code values} (channel-first).
     *
     * @throws IllegalArgumentException  when {@code values.length != a.length(config)}
     * @throws IndexOutOfBoundsException unless 0 &lt;= slot &lt; {@code a.slots(config)}
     */
    void write(Activation a, int slot, float[] values);

    /** {@link #write(Activation, int, float[])} of a {@link Activation.Scope#HEAD} activation's only slot. */
    default void write(Activation a, float[] values) { write(a, 0, values); }

    // ---- forward ----

    /** XN[l] = rmsnorm(X[l])·rms_attention[l]. */
    void attentionNorm(int layer);

    /** Q[l] = wq·XN[l], K[l] = wk·XN[l], V[l] = wv·XN[l] (each [D][D]·[D][S]). */
    void qkv(int layer);

    /** A[l] = causal softmax attention of Q[l], K[l], V[l] per head, scores scaled by 1/√(D/heads). */
    void attention(int layer);

    /** O[l] = wo·A[l]. */
    void outputProjection(int layer);

    /** XN2[l] = rmsnorm(X2[l])·rms_ffn[l]. */
    void ffnNorm(int layer);

    /** H1[l] = w1·XN2[l], H3[l] = w3·XN2[l] ([H][D]·[D][S]), F[l] = w2·(silu(H1)·H3) ([D][H]·[H][S]). */
    void ffn(int layer);

    /** XF = rmsnorm(X[L])·rms_final. */
    void finalNorm();

    /** LOGITS = classifier·XF ([V][D]·[D][S]; the classifier is the token embedding when tied). */
    void classifier();

    // ---- activation gradients (backward) ----

    /** DXF = classifierᵀ·DLOGITS. */
    void classifierBackward();

    /** DX[L] = the gradient of {@link #finalNorm} with respect to X[L], given DXF. */
    void finalNormBackward();

    /**
     * Given DX[l+1] (the gradient of F[l]): dg = w2ᵀ·DX[l+1]; DH1[l] = dg·H3·σ(H1)·(1 + H1·(1 − σ(H1))),
     * DH3[l] = dg·silu(H1); DXN2[l] = w1ᵀ·DH1 + w3ᵀ·DH3. H1, H3 are the forward's.
     */
    void ffnBackward(int layer);

    /** DX2[l] = the gradient of {@link #ffnNorm} with respect to X2[l], given DXN2[l] (overwrites DX2[l]). */
    void ffnNormBackward(int layer);

    /** DA[l] = woᵀ·DX2[l]. */
    void outputProjectionBackward(int layer);

    /** DQ[l], DK[l], DV[l] = the gradients of {@link #attention} given DA[l] and the forward's Q, K, V. */
    void attentionBackward(int layer);

    /** DXN[l] = wqᵀ·DQ[l] + wkᵀ·DK[l] + wvᵀ·DV[l]. */
    void qkvBackward(int layer);

    /** DX[l] = the gradient of {@link #attentionNorm} with respect to X[l], given DXN[l] (overwrites DX[l]). */
    void attentionNormBackward(int layer);

    /** Frees what the implementation holds (kernels, surfaces). Idempotent. */
    @Override
    void close();
}
