package io.github.ane4j.kernels;

import io.github.ane4j.DType;
import io.github.ane4j.mil.MilBuilder;
import io.github.ane4j.mil.MilBuilder.WeightLayout;
import io.github.ane4j.mil.MilProgram;
import io.github.ane4j.mil.Value;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The MIL programs that train a Llama-style transformer with the weights as inputs, compiled once and fed new
 * weights every step (the upstream's "dynamic" kernel family): the forward pass, and the activation
 * gradients of the backward pass. What the Neural Engine does not run (weight gradients, the loss, the
 * optimizer, embeddings, residual additions) stays in Java.
 *
 * <p>Layouts (every kernel): an activation of C channels over the S positions is a {@code [1, C, 1, S]}
 * tensor, element (c, t) at {@code c·S + t} of its surface ("channel-first"). A weight matrix W with
 * {@code y = W·x} is {@code [1, OUT, IN]}, row-major {@code W[o][i]} at {@code o·IN + i}; an RMSNorm weight
 * is {@code [1, D, 1, 1]}. Attention heads are channel blocks: head h holds channels
 * {@code h·headDim … (h+1)·headDim − 1} of q, k and v. Activations are declared first, then weights, in the
 * order each method lists them; outputs in the order listed.
 *
 * <p>With {@link WeightLayout#PACKED} the same programs take their activations and weights side by side in
 * packed inputs (see {@link io.github.ane4j.mil.PackedRegion}); write them by name with
 * {@link io.github.ane4j.Kernel#write(String, float[])}.
 *
 * @param dims   the model's sizes
 * @param dtype  fp16 (what the ANE computes in) or fp32 (for precise checks on the reference backend)
 * @param layout weights as separate parameters, or packed into the inputs
 */
public record TransformerKernels(TransformerDims dims, DType dtype, WeightLayout layout) {
    /** RMSNorm's epsilon, added to the mean square. */
    public static final double RMS_EPSILON = 1e-5;

    /** What causal attention adds to the scores of future positions: large enough to zero them after softmax,
     *  small enough to stay finite in fp16 after any score is added (the ANE guidance is to avoid infinities). */
    public static final double MASKED = -1e4;

    /**
     * Checks the configuration.
     *
     * @throws IllegalArgumentException unless dtype is fp16 or fp32
     * @throws NullPointerException     when {@code dims} or {@code layout} is null
     */
    public TransformerKernels {
        Objects.requireNonNull(dims, "dims");
        Objects.requireNonNull(layout, "layout");
        if (dtype != DType.FP16 && dtype != DType.FP32) throw new IllegalArgumentException("kernels compute in fp16 or fp32, not " + dtype);
    }

    /**
     * fp16 kernels with one parameter per weight.
     *
     * @param dims the model's sizes
     * @return the kernel family
     */
    public static TransformerKernels of(TransformerDims dims) { return new TransformerKernels(dims, DType.FP16, WeightLayout.PARAMETERS); }

    // ---- forward ------------------------------------------------------------------------------------

    /**
     * RMSNorm: {@code y = x · w / sqrt(mean_c(x²) + ε)} per position. Input x [1,D,1,S]; weight w [1,D,1,1];
     * output y [1,D,1,S].
     *
     * @return the program, not yet compiled; a new one on each call
     */
    public MilProgram rmsNorm() {
        MilBuilder b = builder();
        Value x = activation(b, "x", dims.dim());
        Value w = b.weight("w", dtype, 1, dims.dim(), 1, 1);
        return b.returns(b.name("y", b.mul(b.mul(x, inverseRms(b, x)), w))).build();
    }

    /**
     * The three attention projections. Input xn [1,D,1,S]; weights wq, wk, wv [1,D,D]; outputs q, k, v [1,D,1,S].
     *
     * @return the program, not yet compiled; a new one on each call
     */
    public MilProgram qkv() {
        MilBuilder b = builder();
        Value xn = activation(b, "xn", dims.dim());
        Value wq = matrix(b, "wq", dims.dim(), dims.dim()), wk = matrix(b, "wk", dims.dim(), dims.dim());
        Value wv = matrix(b, "wv", dims.dim(), dims.dim());
        return b.returns(project(b, "q", wq, xn), project(b, "k", wk, xn), project(b, "v", wv, xn)).build();
    }

    /**
     * Causal attention built from matmul, mask and softmax: per head {@code softmax(q·kᵀ/√hd + mask)·v}.
     * Inputs q, k, v [1,D,1,S]; output a [1,D,1,S].
     *
     * @return the program, not yet compiled; a new one on each call
     */
    public MilProgram attention() {
        MilBuilder b = builder();
        Value q = heads(b, "q"), k = heads(b, "k"), v = heads(b, "v");
        Value p = probabilities(b, q, k);
        return b.returns(channels(b, "a", b.matmul(p, v))).build();
    }

    /**
     * Causal attention as one {@code scaled_dot_product_attention} op with an additive mask; inputs and
     * output as {@link #attention()}. The ANE is reported to ignore SDPA masks (which would make it
     * non-causal there): train with {@link #attention()}, use this one to compare.
     *
     * @return the program, not yet compiled; a new one on each call
     */
    public MilProgram attentionSdpa() {
        MilBuilder b = builder();
        Value q = heads(b, "q"), k = heads(b, "k"), v = heads(b, "v");
        return b.returns(channels(b, "a", b.scaledDotProductAttention(q, k, v, causalMask(b)))).build();
    }

    /**
     * {@code y = W·x}, the output projection ({@code in = out = D}) or the classifier ({@code in = D, out = V}).
     * Input x [1,in,1,S]; weight w [1,out,in]; output y [1,out,1,S].
     *
     * @param in  input channels, positive
     * @param out output channels, positive
     * @return the program, not yet compiled; a new one on each call
     * @throws IllegalArgumentException when {@code in} or {@code out} is not positive
     */
    public MilProgram linear(int in, int out) {
        MilBuilder b = builder();
        Value x = activation(b, "x", in);
        return b.returns(project(b, "y", matrix(b, "w", out, in), x)).build();
    }

    /**
     * The output projection: {@link #linear} with in = out = D.
     *
     * @return the program, not yet compiled; a new one on each call
     */
    public MilProgram outputProjection() { return linear(dims.dim(), dims.dim()); }

    /**
     * The classifier: {@link #linear} from D to V (logits [1,V,1,S]).
     *
     * @return the program, not yet compiled; a new one on each call
     */
    public MilProgram classifier() { return linear(dims.dim(), dims.vocab()); }

    /**
     * The SwiGLU feed-forward layer {@code f = W2·(silu(W1·xn) ⊙ W3·xn)}, returning also the two
     * projections the backward pass needs. Input xn [1,D,1,S]; weights w1, w3 [1,H,D], w2 [1,D,H]; outputs
     * f [1,D,1,S], h1 = W1·xn and h3 = W3·xn [1,H,1,S].
     *
     * @return the program, not yet compiled; a new one on each call
     */
    public MilProgram ffn() {
        MilBuilder b = builder();
        int d = dims.dim(), h = dims.hidden();
        Value xn = activation(b, "xn", d);
        Value w1 = matrix(b, "w1", h, d), w3 = matrix(b, "w3", h, d), w2 = matrix(b, "w2", d, h);
        Value h1 = project(b, "h1", w1, xn), h3 = project(b, "h3", w3, xn);
        Value g = b.mul(b.silu(h1), h3);
        return b.returns(project(b, "f", w2, g), h1, h3).build();
    }

    // ---- activation gradients -----------------------------------------------------------------------

    /**
     * Gradient of {@link #rmsNorm()} with respect to x: with {@code r = 1/sqrt(mean_c(x²) + ε)} and
     * {@code g = dy ⊙ w}, {@code dx = r·g − x·r³·mean_c(g ⊙ x)}. Inputs dy, x [1,D,1,S]; weight w [1,D,1,1];
     * output dx [1,D,1,S].
     *
     * @return the program, not yet compiled; a new one on each call
     */
    public MilProgram rmsNormBackward() {
        MilBuilder b = builder();
        Value dy = activation(b, "dy", dims.dim()), x = activation(b, "x", dims.dim());
        Value w = b.weight("w", dtype, 1, dims.dim(), 1, 1);
        Value r = inverseRms(b, x);
        Value g = b.mul(dy, w);
        Value meanGx = b.mul(b.reduceSum(b.mul(g, x), true, 1), 1.0 / dims.dim());
        Value r3 = b.mul(b.mul(r, r), r);
        return b.returns(b.name("dx", b.sub(b.mul(g, r), b.mul(x, b.mul(r3, meanGx))))).build();
    }

    /**
     * Gradient of {@link #qkv()} with respect to xn: {@code Wqᵀ·dq + Wkᵀ·dk + Wvᵀ·dv}. Inputs dq, dk, dv
     * [1,D,1,S]; weights wq, wk, wv [1,D,D]; output dxn [1,D,1,S].
     *
     * @return the program, not yet compiled; a new one on each call
     */
    public MilProgram qkvBackward() {
        MilBuilder b = builder();
        int d = dims.dim();
        Value dq = activation(b, "dq", d), dk = activation(b, "dk", d), dv = activation(b, "dv", d);
        Value wq = matrix(b, "wq", d, d), wk = matrix(b, "wk", d, d), wv = matrix(b, "wv", d, d);
        Value sum = b.add(b.add(projectBack(b, wq, dq), projectBack(b, wk, dk)), projectBack(b, wv, dv));
        return b.returns(channels(b, "dxn", sum)).build();
    }

    /**
     * First half of the attention backward pass (the upstream's sdpa_bwd1): recomputes the probabilities P and
     * gives {@code dv = Pᵀ·da} and {@code dp = da·vᵀ} per head. Inputs q, k, v, da [1,D,1,S]; outputs
     * dv [1,D,1,S], p and dp [1,heads,S,S].
     *
     * @return the program, not yet compiled; a new one on each call
     */
    public MilProgram attentionBackward1() {
        MilBuilder b = builder();
        Value q = heads(b, "q"), k = heads(b, "k"), v = heads(b, "v"), da = heads(b, "da");
        Value p = b.name("p", probabilities(b, q, k));
        Value dv = channels(b, "dv", b.matmul(p, da, true, false));
        Value dp = b.name("dp", b.matmul(da, v, false, true));
        return b.returns(dv, p, dp).build();
    }

    /**
     * Second half of the attention backward pass (sdpa_bwd2): the softmax gradient
     * {@code ds = P ⊙ (dp − Σ_row P ⊙ dp) / √hd}, then {@code dq = ds·k} and {@code dk = dsᵀ·q}. Inputs p, dp
     * [1,heads,S,S] and q, k [1,D,1,S]; outputs dq, dk [1,D,1,S].
     *
     * @return the program, not yet compiled; a new one on each call
     */
    public MilProgram attentionBackward2() {
        MilBuilder b = builder();
        long[] scores = {1, dims.heads(), dims.seq(), dims.seq()};
        Value p = b.input("p", dtype, scores), dp = b.input("dp", dtype, scores);
        Value q = heads(b, "q"), k = heads(b, "k");
        Value rowSum = b.reduceSum(b.mul(p, dp), true, -1);
        Value ds = b.mul(b.mul(p, b.sub(dp, rowSum)), 1.0 / Math.sqrt(dims.headDim()));
        return b.returns(channels(b, "dq", b.matmul(ds, k)), channels(b, "dk", b.matmul(ds, q, true, false))).build();
    }

    /**
     * Gradient of {@link #linear} with respect to x: {@code dx = Wᵀ·dy}. Input dy [1,out,1,S]; weight w
     * [1,out,in]; output dx [1,in,1,S].
     *
     * @param in  input channels of the forward {@link #linear}, positive
     * @param out output channels of the forward {@link #linear}, positive
     * @return the program, not yet compiled; a new one on each call
     * @throws IllegalArgumentException when {@code in} or {@code out} is not positive
     */
    public MilProgram linearBackward(int in, int out) {
        MilBuilder b = builder();
        Value dy = activation(b, "dy", out);
        return b.returns(channels(b, "dx", projectBack(b, matrix(b, "w", out, in), dy))).build();
    }

    /**
     * Gradient of the output projection: {@link #linearBackward} with in = out = D.
     *
     * @return the program, not yet compiled; a new one on each call
     */
    public MilProgram outputProjectionBackward() { return linearBackward(dims.dim(), dims.dim()); }

    /**
     * Gradient of the classifier: {@link #linearBackward} from V back to D.
     *
     * @return the program, not yet compiled; a new one on each call
     */
    public MilProgram classifierBackward() { return linearBackward(dims.dim(), dims.vocab()); }

    /**
     * Gradient of {@link #ffn()}: with {@code dg = W2ᵀ·df} and σ = sigmoid(h1), {@code dh3 = dg ⊙ h1σ} and
     * {@code dh1 = dg ⊙ h3 ⊙ σ(1 + h1(1 − σ))}, then {@code dxn = W1ᵀ·dh1 + W3ᵀ·dh3}. Inputs df [1,D,1,S], h1, h3
     * [1,H,1,S]; weights w1, w3 [1,H,D], w2 [1,D,H]; outputs dxn [1,D,1,S], dh1 and dh3 [1,H,1,S] (for the
     * weight gradients of W1 and W3).
     *
     * @return the program, not yet compiled; a new one on each call
     */
    public MilProgram ffnBackward() {
        MilBuilder b = builder();
        int d = dims.dim(), h = dims.hidden();
        Value df = activation(b, "df", d), h1 = activation(b, "h1", h), h3 = activation(b, "h3", h);
        Value w1 = matrix(b, "w1", h, d), w3 = matrix(b, "w3", h, d), w2 = matrix(b, "w2", d, h);
        Value dg = b.reshape(projectBack(b, w2, df), 1, h, 1, dims.seq());
        Value sig = b.sigmoid(h1);
        Value dh3 = b.name("dh3", b.mul(dg, b.mul(h1, sig)));
        Value dsilu = b.mul(sig, b.add(b.mul(h1, b.sub(1.0, sig)), 1.0));
        Value dh1 = b.name("dh1", b.mul(b.mul(dg, h3), dsilu));
        Value dxn = b.add(projectBack(b, w1, dh1), projectBack(b, w3, dh3));
        return b.returns(channels(b, "dxn", dxn), dh1, dh3).build();
    }

    /**
     * Every kernel of this family by name.
     *
     * @return an unmodifiable map from method name ({@code "rmsNorm"}, {@code "qkv"} …) to a new program, in the
     *         order a training step runs them: forward, then backward
     */
    public Map<String, MilProgram> all() {
        Map<String, MilProgram> all = new LinkedHashMap<>();
        all.put("rmsNorm", rmsNorm());
        all.put("qkv", qkv());
        all.put("attention", attention());
        all.put("attentionSdpa", attentionSdpa());
        all.put("outputProjection", outputProjection());
        all.put("ffn", ffn());
        all.put("classifier", classifier());
        all.put("classifierBackward", classifierBackward());
        all.put("rmsNormBackward", rmsNormBackward());
        all.put("ffnBackward", ffnBackward());
        all.put("outputProjectionBackward", outputProjectionBackward());
        all.put("attentionBackward1", attentionBackward1());
        all.put("attentionBackward2", attentionBackward2());
        all.put("qkvBackward", qkvBackward());
        return Collections.unmodifiableMap(all);
    }

    // ---- pieces -------------------------------------------------------------------------------------

    private MilBuilder builder() { return MilBuilder.function("main", layout); }

    private Value activation(MilBuilder b, String name, int channels) { return b.input(name, dtype, 1, channels, 1, dims.seq()); }

    private Value matrix(MilBuilder b, String name, int rows, int cols) { return b.weight(name, dtype, 1, rows, cols); }

    /** {@code W·x} for x [1,IN,1,S], W [1,OUT,IN]: [1,OUT,1,S] named {@code name}. */
    private Value project(MilBuilder b, String name, Value w, Value x) {
        Value y = b.matmul(w, b.reshape(x, 1, x.dim(1), dims.seq()));
        return b.name(name, b.reshape(y, 1, w.dim(1), 1, dims.seq()));
    }

    /** {@code Wᵀ·dy} for dy [1,OUT,1,S], W [1,OUT,IN]: [1,IN,S]. */
    private Value projectBack(MilBuilder b, Value w, Value dy) {
        return b.matmul(w, b.reshape(dy, 1, dy.dim(1), dims.seq()), true, false);
    }

    /** 1/sqrt(mean over channels of x² + ε): [1,1,1,S]. Sums then scales, as the upstream RMSNorm does. */
    private Value inverseRms(MilBuilder b, Value x) {
        Value meanSquare = b.mul(b.reduceSum(b.mul(x, x), true, 1), 1.0 / x.dim(1));
        return b.pow(b.add(meanSquare, RMS_EPSILON), -0.5);
    }

    /** [1,D,1,S] → [1,heads,S,headDim]. */
    private Value heads(MilBuilder b, Value x) {
        return b.transpose(b.reshape(x, 1, dims.heads(), dims.headDim(), dims.seq()), 0, 1, 3, 2);
    }

    /** Activation input {@code name} [1,D,1,S], split into heads [1,heads,S,headDim]. */
    private Value heads(MilBuilder b, String name) { return heads(b, activation(b, name, dims.dim())); }

    /** [1,heads,S,headDim] → [1,D,1,S] named {@code name}; also takes [1,D,S] (a projection back). */
    private Value channels(MilBuilder b, String name, Value x) {
        if (x.rank() == 3) return b.name(name, b.reshape(x, 1, x.dim(1), 1, dims.seq()));
        return b.name(name, b.reshape(b.transpose(x, 0, 1, 3, 2), 1, dims.dim(), 1, dims.seq()));
    }

    /** softmax(q·kᵀ/√hd + causal mask) over the key axis: [1,heads,S,S]. */
    private Value probabilities(MilBuilder b, Value q, Value k) {
        Value scores = b.mul(b.matmul(q, k, false, true), 1.0 / Math.sqrt(dims.headDim()));
        return b.softmax(b.add(scores, causalMask(b)), -1);
    }

    /** [1,1,S,S]: 0 where the key position is at or before the query position, {@link #MASKED} after it. */
    private Value causalMask(MilBuilder b) {
        int s = dims.seq();
        double[] mask = new double[s * s];
        for (int t = 0; t < s; t++) {
            for (int u = t + 1; u < s; u++) mask[t * s + u] = MASKED;
        }
        return b.constant(dtype, new long[] {1, 1, s, s}, mask);
    }
}
