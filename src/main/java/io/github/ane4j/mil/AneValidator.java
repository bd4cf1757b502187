package io.github.ane4j.mil;

import io.github.ane4j.mil.AneFinding.Severity;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The rules of {@link MilProgram#validateForAne()}: what public reports say fails, falls back or misleads
 * when a MIL program goes to the Neural Engine through the private in-memory compiler (no CPU fallback
 * there: an op it cannot place fails the compile, often without a message, or computes something else).
 * A rule is an error where the evidence agrees, a warning where it comes from one report or conflicts (the
 * reason says which). Each finding names its source.
 */
final class AneValidator {
    private static final String ORION = "mechramc/Orion docs/ane_constraints.md";
    private static final String APPLE_RULES = "apple/coreai-models neural_engine_rules.md";
    private static final String ISSUE_47 = "maderix/ANE issue #47 (M1, runtime-weight kernels)";

    /** Largest tensor dimension reported to work; the hardware's size registers are 16-bit. */
    static final long MAX_DIMENSION = 65_536;
    /** The on-chip SRAM; weights beyond it spill to DRAM and run markedly slower. */
    static final long SRAM_BYTES = 32L << 20;

    private final MilProgram program;
    private final List<AneFinding> findings = new ArrayList<>();
    private final Map<String, Statement> definitions = new HashMap<>();
    /** The declared type of every name defined so far: parameters, then statement results in order. */
    private final Map<String, MilType> types = new HashMap<>();

    private AneValidator(MilProgram program) { this.program = program; }

    static List<AneFinding> validate(MilProgram program) {
        AneValidator v = new AneValidator(program);
        v.signature(program.main());
        v.body(program.main());
        return List.copyOf(v.findings);
    }

    private void signature(MilFunction main) {
        for (Parameter p : main.parameters()) {
            types.put(p.name(), p.type());
            surface("parameter", p.name(), p.type());
        }
        for (String out : main.outputs()) surface("output", out, main.typeOf(out).orElseThrow());
    }

    private void surface(String role, String name, MilType type) {
        ElementType dt = MilType.elementType(type);
        long[] shape = MilType.shape(type);
        // Surface sizes need no rule: the ANE backend allocates every surface of a request at one size of
        // at least 49,152 bytes itself (native/src/darwin/request_rules.c).
        int elementBytes = dt.surfaceType() == null ? 0 : dt.surfaceType().byteSize();
        if (dt == ElementType.FP32) {
            add("fp32-surface", Severity.WARNING, 0, role + " '" + name + "' is fp32: one report says fp32 surfaces read and write "
                    + "zeros, while the upstream's fp32-I/O programs (cast to fp16 inside) run; fp16 I/O is about 37 % faster either way",
                    "maderix/ANE PR #40 ANE_INTERNALS.md; maderix/ANE README.md");
        } else if (dt.isInteger()) {
            add("integer-surface", Severity.WARNING, 0, role + " '" + name + "' is " + dt + ": integer inputs push work off the "
                    + "Neural Engine (fp16 and 8-bit are its data types)", "eiln/ane docs; tinygrad extra/accel/ane lib/ane.py");
        }
        if (shape.length > 0 && shape[shape.length - 1] * elementBytes % 64 != 0) {
            add("last-axis-unaligned", Severity.WARNING, 0, role + " '" + name + "' has a last axis of "
                    + shape[shape.length - 1] + " elements, not a multiple of 64 bytes: Apple's rules ask for a contiguous, "
                    + "64-byte aligned last axis (padded otherwise), while another report finds the ANE reads tensors packed",
                    APPLE_RULES + "; " + ORION + " §2");
        }
        typeRules(type, 0, role + " '" + name + "'");
    }

    private void body(MilFunction main) {
        int blobs = 0;
        long weightBytes = 0;
        for (Parameter p : main.parameters()) {
            if (p.role() == Parameter.Role.WEIGHT) weightBytes += bytes(p.type());
        }
        for (Statement s : main.statements()) {
            int line = program.lineOf(s);
            for (Statement.Result r : s.results()) typeRules(r.type(), line, "'" + r.name() + "'");
            for (Attribute a : s.attributes()) {
                if (a.value() instanceof Literal.BlobFile b) {
                    blobs++;
                    weightBytes += bytes(b.type());
                }
            }
            op(s, line);
            for (Statement.Result r : s.results()) {
                definitions.put(r.name(), s);
                types.put(r.name(), r.type());
            }
        }
        if (blobs > 16) {
            add("blobfile-count", Severity.WARNING, 0, blobs + " BLOBFILE constants: one secondary report limits a program to 16 "
                    + "(unverified)", ORION + " (secondary distillation)");
        }
        if (weightBytes > SRAM_BYTES) {
            add("weights-beyond-sram", Severity.WARNING, 0, (weightBytes >> 20) + " MiB of weights: beyond the ~32 MiB SRAM the "
                    + "working set spills to DRAM (about 30 % slower); split the program", "maderix substack Part 2; maderix/ANE sram_probe.m");
        }
    }

    private void op(Statement s, int line) {
        String op = s.op();
        String at = op + " '" + s.name() + "'";
        switch (op) {
            case "gelu" -> add("unsupported-op", Severity.ERROR, line, at + ": gelu fails to compile; use the tanh approximation "
                    + "built from tanh, mul and add", ORION + " #10");
            case "rsqrt" -> add("unsupported-op", Severity.ERROR, line, at + ": rsqrt fails to compile; use pow(x, -0.5)",
                    ORION + "; ncdrone/rustane README");
            case "gather" -> add("unsupported-op", Severity.ERROR, line, at + ": arbitrary indexing has no Neural Engine "
                    + "instruction (gather runs on the CPU under CoreML; the direct path has no CPU)",
                    "hollance/neural-engine docs/unsupported-layers.md; eiln/ane docs");
            case "sqrt" -> add("sqrt-after-reduce", Severity.WARNING, line, at + ": sqrt after a reduction was reported to fail; "
                    + "pow(x, 0.5) is the reported workaround (one report)", "ncdrone/rustane README");
            case "concat" -> add("concat", Severity.WARNING, line, at + ": one project reports concat rejected, while the "
                    + "upstream's training kernels use it (conflicting evidence)", ORION + "; maderix/ANE training/stories_mil.h");
            case "cast" -> add("cast-on-m1-m2", Severity.WARNING, line, at + ": M1 and M2 are reported unable to run cast (it "
                    + "runs on M4); prefer fp16 surfaces", "maderix/ANE PR #6");
            case "scaled_dot_product_attention" -> {
                if (s.argument("attn_mask").isPresent()) {
                    add("sdpa-mask", Severity.WARNING, line, at + ": the Neural Engine is reported to ignore the attention mask, "
                            + "making causal attention silently non-causal (two reports; no report of it honoured); build "
                            + "attention from matmul, add and softmax", "maderix/ANE README.md; " + ORION);
                }
            }
            case "conv" -> conv(s, line, at);
            case "matmul" -> matmul(s, line, at);
            case "softmax" -> softmax(s, line, at);
            default -> { }
        }
        for (Argument a : s.arguments()) {
            if (!(a.value() instanceof Operand.Inline)) continue;
            boolean flag = op.equals("matmul") && a.key().startsWith("transpose_");
            add("inline-argument", flag ? Severity.ERROR : Severity.WARNING, line, at + ": argument '" + a.key() + "' is written "
                    + "inline; " + (flag ? "inline matmul transpose flags are rejected" : "the upstream passes every operand as a "
                    + "named const (inline scalars are reported to cost a BLOBFILE slot)") + "; declare it as a const",
                    ORION + (flag ? "" : " (secondary distillation)"));
        }
        if (!op.equals("const") && !op.equals("cast") && !op.startsWith("constexpr_") && !s.results().isEmpty()) {
            MilType t = s.results().get(0).type();
            if (!(t instanceof MilType.Dict) && MilType.elementType(t) == ElementType.FP32) {
                add("fp32-compute", Severity.ERROR, line, at + " computes in fp32: the Neural Engine computes in fp16 only (fp32 "
                        + "work falls back under CoreML and has nowhere to go here); cast to fp16 first", APPLE_RULES + "; hollance/neural-engine docs/16-bit.md");
            }
        }
    }

    private void conv(Statement s, int line, String at) {
        if (s.argument("bias").isPresent()) {
            add("conv-bias", Severity.ERROR, line, at + ": conv with a bias is rejected; add the bias with a separate add", ORION);
        }
        long[] x = shapeOf(s, "x");
        if (x != null && x.length > 1 && x[1] >= 32_000) {
            add("conv-wide-input", Severity.ERROR, line, at + ": a conv with " + x[1] + " input channels is rejected (32,000 was); "
                    + "use matmul or split the channels", "maderix/ANE training/ane_classifier.h; " + ORION + " #16");
        }
        long groups = constInt(s, "groups", 1);
        if (groups > 1 && !isConstant(s, "weight")) {
            add("runtime-grouped-conv", Severity.WARNING, line, at + ": a grouped conv whose weight is computed at run time is "
                    + "reported to fail (one report)", ISSUE_47);
        }
    }

    private void matmul(Statement s, int line, String at) {
        if (isConstant(s, "x") || isConstant(s, "y")) return;
        long[] x = shapeOf(s, "x");
        if (x == null || x.length == 0) return;
        boolean tx = constInt(s, "transpose_x", 0) != 0;
        long inner = x.length == 1 ? x[0] : x[x.length - (tx ? 2 : 1)];
        if (inner % 32 != 0) {
            add("matmul-inner-32", Severity.WARNING, line, at + ": both operands are computed at run time and the inner dimension "
                    + inner + " is not a multiple of 32: reported to give silent zeros on M1 (one report)", ISSUE_47);
        }
    }

    private void softmax(Statement s, int line, String at) {
        long[] x = shapeOf(s, "x");
        if (x == null || x.length == 0) return;
        long axis = constInt(s, "axis", -1);
        long n = x[(int) (axis < 0 ? axis + x.length : axis)];
        if (Long.bitCount(n) != 1) {
            add("softmax-not-power-of-two", Severity.WARNING, line, at + ": softmax over " + n + " elements, not a power of "
                    + "two, was reported to fail to compile (one report)", "hollance/neural-engine issue #44");
        }
    }

    private void typeRules(MilType type, int line, String what) {
        if (type instanceof MilType.Dict) return;
        long[] shape = MilType.shape(type);
        if (shape.length > 5) {
            add("rank-above-5", Severity.ERROR, line, what + " has rank " + shape.length + ": the Neural Engine handles at most 5 "
                    + "axes (coremltools refuses 6)", APPLE_RULES + "; tinygrad extra/accel/ane README");
        }
        for (long d : shape) {
            if (d > MAX_DIMENSION) {
                add("dimension-above-65536", Severity.ERROR, line, what + " has a dimension of " + d + ": sizes above "
                        + MAX_DIMENSION + " must be split (16-bit size registers)", "maderix/ANE PR #26; tinygrad extra/accel/ane lib/ane.py");
                break;
            }
        }
    }

    /** The declared shape of the value named by argument {@code key}, or null when it is no single name. */
    private long[] shapeOf(Statement s, String key) {
        if (!(s.argument(key).orElse(null) instanceof Operand.Name n)) return null;
        MilType t = types.get(n.name());
        return t == null ? null : MilType.shape(t);
    }

    private boolean isConstant(Statement s, String key) {
        Operand o = s.argument(key).orElse(null);
        if (o instanceof Operand.Inline) return true;
        if (!(o instanceof Operand.Name n)) return false;
        Statement d = definitions.get(n.name());
        return d != null && Set.of("const", "constexpr_affine_dequantize").contains(d.op());
    }

    /** The integer value of a constant operand ({@code bool} as 0/1), or {@code absent}. */
    private long constInt(Statement s, String key, long absent) {
        Operand o = s.argument(key).orElse(null);
        Literal value = null;
        if (o instanceof Operand.Inline i) value = i.literal();
        if (o instanceof Operand.Name n && definitions.get(n.name()) != null) value = definitions.get(n.name()).attribute("val").orElse(null);
        return value instanceof Literal.Numbers num && num.count() == 1 ? (long) num.value(0) : absent;
    }

    private void add(String rule, Severity severity, int line, String reason, String source) {
        findings.add(new AneFinding(rule, severity, line, reason, source));
    }

    private static long bytes(MilType type) {
        ElementType dt = MilType.elementType(type);
        return (dt.surfaceType() == null ? 2 : dt.surfaceType().byteSize()) * count(MilType.shape(type));
    }

    private static long count(long[] shape) {
        long n = 1;
        for (long d : shape) n = Math.multiplyExact(n, d);
        return n;
    }
}
