package io.github.ane4j.mil;

import io.github.ane4j.mil.AneFinding.Severity;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static io.github.ane4j.DType.FP16;
import static io.github.ane4j.DType.FP32;
import static io.github.ane4j.DType.INT32;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AneValidatorTest {
    /** Rule id → the severity it must have. */
    private static final Map<String, Severity> RULES = new TreeMap<>(Map.ofEntries(
            Map.entry("fp32-surface", Severity.WARNING), Map.entry("integer-surface", Severity.WARNING),
            Map.entry("last-axis-unaligned", Severity.WARNING),
            Map.entry("rank-above-5", Severity.ERROR), Map.entry("dimension-above-65536", Severity.ERROR),
            Map.entry("unsupported-op", Severity.ERROR), Map.entry("sqrt-after-reduce", Severity.WARNING),
            Map.entry("concat", Severity.WARNING), Map.entry("cast-on-m1-m2", Severity.WARNING),
            Map.entry("sdpa-mask", Severity.WARNING), Map.entry("conv-bias", Severity.ERROR),
            Map.entry("conv-wide-input", Severity.ERROR), Map.entry("runtime-grouped-conv", Severity.WARNING),
            Map.entry("matmul-inner-32", Severity.WARNING), Map.entry("softmax-not-power-of-two", Severity.WARNING),
            Map.entry("inline-argument", Severity.ERROR), Map.entry("fp32-compute", Severity.ERROR),
            Map.entry("blobfile-count", Severity.WARNING), Map.entry("weights-beyond-sram", Severity.WARNING)));

    @Test
    void aProgramOfEveryKnownPitfallTriggersEveryRule() {
        MilBuilder b = MilBuilder.function("main");
        Value x = b.input("x", FP32, 1, 4, 1, 3);                      // fp32 surface, unaligned last axis
        Value idx = b.input("idx", INT32, 2);                          // integer surface
        Value big = b.weight("big", FP16, 1, 4096, 4096 + 64);         // 32 MiB + : beyond the SRAM
        Value h = b.cast(x, ElementType.FP16);                         // cast
        Value wide = b.reshape(b.input("w", FP16, 1, 1, 1, 70_000), 1, 1, 1, 1, 1, 70_000); // rank 6, dimension > 65536
        b.gelu(h);                                                     // unsupported op
        b.rsqrt(h);
        b.sqrt(h);
        b.gather(h, idx, 1);
        b.concat(1, h, h);
        Value h3 = b.reshape(h, 1, 4, 3);
        b.scaledDotProductAttention(h3, h3, h3, b.constant(FP16, new long[] {4, 4}, new double[16])); // a mask
        Value convIn = b.input("wide", FP16, 1, 32_000, 1, 64);
        b.conv(convIn, b.constant(FP16, new long[] {2, 32_000, 1, 1}, new double[64_000]), MilBuilder.Conv.DEFAULTS.withBias(b.constant(FP16, new long[] {2}, 1, 2)));
        Value grouped = b.input("g", FP16, 1, 4, 1, 64);
        b.conv(grouped, b.reshape(b.input("gw", FP16, 4, 2), 4, 2, 1, 1), MilBuilder.Conv.DEFAULTS.withGroups(2));
        b.matmul(b.reshape(h, 1, 4, 3), b.reshape(h, 1, 3, 4));       // runtime operands, inner 3
        b.softmax(h, -1);                                              // over 3 elements
        b.mul(x, x);                                                   // fp32 compute
        for (int i = 0; i < 17; i++) b.constant(FP16, new long[] {65}, new double[65]); // 17 BLOBFILE constants
        b.concat(1, b.constant(FP16, new long[] {1, 1, 1, 1}, 1), b.constant(FP16, new long[] {1, 1, 1, 1}, 2));
        MilProgram built = b.returns(h, wide, big).build();
        // The builder always names its operands; an inline transpose flag needs hand-written text.
        String withInlineFlag = built.text().replace("    } -> (", """
                        tensor<int32, [3]> s3 = const()[name = string("s3"), val = tensor<int32, [3]>([1, 4, 3])];
                        tensor<fp16, [1, 4, 3]> h4 = reshape(shape = s3, x = cast)[name = string("h4")];
                        tensor<fp16, [1, 3, 3]> inl = matmul(transpose_x = true, x = h4, y = h4)[name = string("inl")];
                    } -> (""");
        List<AneFinding> findings = MilProgram.parse(withInlineFlag).withWeights(1).validateForAne();
        Map<String, Set<Severity>> seen = findings.stream().collect(Collectors.groupingBy(AneFinding::rule, TreeMap::new,
                Collectors.mapping(AneFinding::severity, Collectors.toSet())));
        assertEquals(RULES.keySet(), seen.keySet(), findings.stream().map(AneFinding::toString).collect(Collectors.joining("\n")));
        for (var rule : RULES.entrySet()) {
            assertTrue(seen.get(rule.getKey()).contains(rule.getValue()), rule.getKey() + " should be " + rule.getValue() + ": " + seen.get(rule.getKey()));
        }
    }

    @Test
    void everyFindingNamesItsSourceAndStatementLine() {
        MilBuilder b = MilBuilder.function("main");
        Value x = b.input("x", FP16, 1, 64, 1, 512);
        MilProgram p = b.returns(b.gelu(x)).build();
        AneFinding gelu = p.validateForAne().stream().filter(f -> f.rule().equals("unsupported-op")).findFirst().orElseThrow();
        assertEquals(Severity.ERROR, gelu.severity());
        assertEquals(p.lineOf(p.main().statements().get(0)), gelu.line());
        assertTrue(gelu.line() > 0);
        assertTrue(gelu.source().contains("Orion"), gelu.source());
        assertTrue(gelu.reason().contains("gelu 'gelu'"), gelu.reason());
    }

    @Test
    void warningsWithConflictingEvidenceSaySo() {
        MilBuilder b = MilBuilder.function("main");
        Value x = b.input("x", FP16, 1, 64, 1, 512);
        MilProgram p = b.returns(b.concat(1, x, x)).build();
        AneFinding concat = p.validateForAne().stream().filter(f -> f.rule().equals("concat")).findFirst().orElseThrow();
        assertEquals(Severity.WARNING, concat.severity());
        assertTrue(concat.reason().contains("conflicting evidence"), concat.reason());
    }

    @Test
    void aProgramInTheAnesPreferredShapeHasNoFindings() {
        MilBuilder b = MilBuilder.function("main");
        Value x = b.input("x", FP16, 1, 128, 1, 512);                  // 128 KiB, 1 KiB rows
        Value w = b.weight("w", FP16, 1, 256, 128);                    // 64 KiB
        Value y = b.matmul(w, b.reshape(x, 1, 128, 512));              // inner 128
        MilProgram p = b.returns(b.reshape(b.softmax(b.relu(y), -1), 1, 256, 1, 512)).build();
        assertEquals(List.of(), p.validateForAne());
    }
}
