package io.github.ane4j;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A three-kernel chain, x -> 2x -> W(2x) -> 2W(2x), passing activations by copy and by aliasing; the
 * expected result comes from a naive matmul.
 */
class ChainTest {
    static final int C = 8, S = 8; // activations [1, C, 1, S]; the matmul treats them as C x S

    Ane ane;
    Kernel doubleIn, linear, doubleOut;
    float[] x, w, expected;

    @BeforeEach
    void open() {
        ane = Ane.open(Backend.REFERENCE);
        doubleIn = ane.compile(Programs.addSelf(C, S));
        linear = ane.compileDynamic(Programs.dynMatmul(C, C, S, "fp16"), 1);
        doubleOut = ane.compile(Programs.addSelf(C, S));
        x = Programs.exactFp16Values(C * S, 2);
        w = new float[C * C];
        for (int i = 0; i < w.length; i++) w[i] = (i % 3 - 1) / 4f; // -1/4, 0, 1/4: all products exact in fp16
        float[] twice = new float[x.length];
        for (int i = 0; i < x.length; i++) twice[i] = 2 * x[i];
        expected = Programs.matmul(w, twice, C, C, S);
        for (int i = 0; i < expected.length; i++) expected[i] *= 2;
        linear.weight(0).write(w);
    }

    @AfterEach
    void close() { ane.close(); }

    @Test
    void chainByCopy() {
        doubleIn.input(0).write(x);
        doubleIn.eval();
        doubleIn.copyOutputTo(0, linear, 0);
        linear.eval();
        linear.copyOutputTo(0, doubleOut, 0);
        doubleOut.eval();
        assertArrayEquals(expected, doubleOut.output(0).readFloats());
    }

    @Test
    void chainByAliasPassesActivationsWithoutCopies() {
        doubleIn.aliasOutputAsInput(0, linear, 0);
        linear.aliasOutputAsInput(0, doubleOut, 0);
        try (SurfaceView out = doubleIn.output(0).map(); SurfaceView in = linear.input(0).map()) {
            assertEquals(out.segment().address(), in.segment().address(), "one buffer, two kernels");
        }
        doubleIn.input(0).write(x);
        doubleIn.eval();
        linear.eval();
        doubleOut.eval();
        assertArrayEquals(expected, doubleOut.output(0).readFloats());

        // New input, no copy calls: the chain follows.
        for (int i = 0; i < x.length; i++) x[i] = -x[i];
        doubleIn.input(0).write(x);
        doubleIn.eval();
        linear.eval();
        doubleOut.eval();
        for (int i = 0; i < expected.length; i++) assertEquals(-expected[i], doubleOut.output(0).readFloats()[i]);
    }

    @Test
    void anAliasedSurfaceOutlivesTheKernelThatMadeIt() {
        doubleIn.aliasOutputAsInput(0, linear, 0);
        doubleIn.input(0).write(x);
        doubleIn.eval();
        doubleIn.close();
        linear.eval();
        linear.copyOutputTo(0, doubleOut, 0);
        doubleOut.eval();
        assertArrayEquals(expected, doubleOut.output(0).readFloats());
    }
}
