package io.github.ane4j.examples.quickstart;

import io.github.ane4j.Ane;
import io.github.ane4j.DType;
import io.github.ane4j.Kernel;
import io.github.ane4j.mil.MilBuilder;
import io.github.ane4j.mil.MilProgram;
import io.github.ane4j.mil.Value;

import java.util.Arrays;

/**
 * The README's quick start, statement for statement, printing what it computes and how ane4j was loaded (a
 * named module on the module path, the unnamed module on the class path). Exits with status 1 when a result
 * differs from the values the README promises.
 */
public final class QuickStart {
    private QuickStart() {}

    public static void main(String[] args) {
        MilBuilder b = MilBuilder.function("main");
        Value x = b.input("x", DType.FP16, 1, 4, 1, 2);                    // activations [1, C = 4, 1, S = 2]
        Value w = b.weight("W", DType.FP16, 1, 3, 4);                      // a dynamic weight [1, 3, 4]
        Value y = b.name("y", b.matmul(w, b.reshape(x, 1, 4, 2)));        // [1, 3, 2]: shapes checked here
        MilProgram program = b.returns(y).build();

        float[] first, second;
        String backend;
        try (Ane ane = Ane.open();                                          // the ANE if present, else reference
             Kernel k = ane.compile(program)) {                             // W becomes a weight surface
            k.weight(0).write(new float[] {1, 0, 0, 0,  0, 1, 0, 0,  0, 0, 1, 1});   // fp32 -> fp16 in the surface
            k.input(0).write(new float[] {1, 2,  3, 4,  5, 6,  7, 8});               // x[1,4,1,2], channel-first
            k.eval();
            float[] out = k.output(0).readFloats();                         // [1, 2, 3, 4, 12, 14]
            first = out;
            k.weight(0).write(new float[] {2, 0, 0, 0,  0, 2, 0, 0,  0, 0, 2, 2});   // new weights, no recompile
            k.eval();                                                       // out doubles
            second = k.output(0).readFloats();
            backend = ane.backendName();
        }

        System.out.println("ane4j: " + Ane.class.getModule() + ", backend " + backend);
        System.out.println("y = " + Arrays.toString(first) + ", after the weight rewrite " + Arrays.toString(second));
        boolean ok = Arrays.equals(first, new float[] {1, 2, 3, 4, 12, 14})
                && Arrays.equals(second, new float[] {2, 4, 6, 8, 24, 28});
        System.out.println(ok ? "PASS" : "FAIL: the README promises [1, 2, 3, 4, 12, 14], then twice that");
        if (!ok) System.exit(1);
    }
}
