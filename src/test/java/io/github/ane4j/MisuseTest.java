package io.github.ane4j;

import io.github.ane4j.mil.MilProgram;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.lang.foreign.Arena;
import java.util.List;
import java.util.Map;

import static io.github.ane4j.SurfaceViewTest.failureOnAnotherThread;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Wrong sizes, indices, dtypes, closed objects and threads: clear exceptions, checked before any native call. */
class MisuseTest {
    Ane ane;
    Kernel fp16;   // addSelf: input 0 and output 0 are fp16 [1,4,1,8] = 32 elements, 64 bytes
    Kernel fp32;   // dyn matmul 2x2x2 fp32: input x (4), weight W (4), output (4)

    @BeforeEach
    void open() {
        ane = Ane.open(Backend.REFERENCE);
        fp16 = ane.compile(Programs.addSelf(4, 8));
        fp32 = ane.compileDynamic(Programs.dynMatmul(2, 2, 2, "fp32"), 1);
    }

    @AfterEach
    void close() { ane.close(); }

    static void assertMessage(Class<? extends Throwable> type, Executable action, String... parts) {
        Throwable t = assertThrows(type, action);
        for (String part : parts) assertTrue(t.getMessage().contains(part), "\"" + part + "\" in: " + t.getMessage());
    }

    @Test
    void arrayLengthsMustEqualTheElementCount() {
        Surface x = fp16.input(0);
        assertMessage(IllegalArgumentException.class, () -> x.write(new float[31]), "32 elements", "31");
        assertMessage(IllegalArgumentException.class, () -> x.write(new float[33]), "32 elements", "33");
        assertMessage(IllegalArgumentException.class, () -> x.write(new short[16]), "32 elements", "16");
        assertMessage(IllegalArgumentException.class, () -> x.read(new float[64]), "32 elements", "64");
        assertThrows(NullPointerException.class, () -> x.write((float[]) null));
    }

    @Test
    void segmentSizesMustEqualTheByteSize() {
        try (Arena arena = Arena.ofConfined()) {
            Surface x = fp16.input(0);
            assertMessage(IllegalArgumentException.class, () -> x.write(arena.allocate(63)), "64 bytes", "63");
            assertMessage(IllegalArgumentException.class, () -> x.read(arena.allocate(128)), "64 bytes", "128");
        }
    }

    @Test
    void rawFp16NeedsAnFp16Surface() {
        Surface w = fp32.weight(0);
        assertMessage(IllegalArgumentException.class, () -> w.write(new short[4]), "fp16", "fp32");
        assertMessage(IllegalArgumentException.class, w::readShorts, "fp16", "fp32");
    }

    @Test
    void floatWritesNeedAFloatSurface() {
        try (Kernel k = ane.compile(Programs.castTo("int32", 4))) {
            assertMessage(IllegalArgumentException.class, () -> k.output(0).write(new float[4]), "fp16 or fp32", "int32",
                    "write(MemorySegment)");
        }
    }

    @Test
    void indicesOutsideTheSignatureAreRefused() {
        assertMessage(IndexOutOfBoundsException.class, () -> fp16.input(1), "input index 1", "1 input");
        assertMessage(IndexOutOfBoundsException.class, () -> fp16.input(-1), "input index -1");
        assertMessage(IndexOutOfBoundsException.class, () -> fp16.weight(0), "weight index 0", "0 weights");
        assertMessage(IndexOutOfBoundsException.class, () -> fp32.output(2), "output index 2", "1 output");
        assertThrows(IndexOutOfBoundsException.class, () -> fp16.copyOutputTo(1, fp16, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> fp16.aliasOutputAsInput(0, fp32, 3));
    }

    @Test
    void dynamicWeightCountMustFitTheParameters() {
        MilProgram p = Programs.dynMatmul(2, 2, 2, "fp16");
        assertMessage(IllegalArgumentException.class, () -> ane.compileDynamic(p, 3), "2 parameters", "3");
        assertMessage(IllegalArgumentException.class, () -> ane.compileDynamic(p, -1), "-1");
    }

    @Test
    void missingWeightFilesAreNamed() {
        String path = "@model_path/weights/w.bin";
        MilProgram p = Programs.blobConv(4, 3, 2, path);
        assertMessage(IllegalArgumentException.class, () -> ane.compile(p), path);
        assertMessage(IllegalArgumentException.class,
                () -> ane.compile(p, Map.of("@model_path/weights/other.bin", new byte[128])), path, "other.bin");
        assertMessage(IllegalArgumentException.class, () -> ane.compileDynamic(p, 0), path);
    }

    @Test
    void copyAndAliasNeedSurfacesOfTheSameLayout() {
        // fp16 output (64 bytes) into an fp32 input (16 bytes)
        assertMessage(IllegalArgumentException.class, () -> fp16.copyOutputTo(0, fp32, 0), "64 bytes", "16 bytes");
        assertMessage(IllegalArgumentException.class, () -> fp16.aliasOutputAsInput(0, fp32, 0), "64 bytes", "16 bytes");
        try (Kernel same = ane.compile(Programs.addSelf(4, 8))) {
            assertMessage(IllegalArgumentException.class, () -> fp16.aliasOutputAsInput(0, fp16, 0), "own input");
            SurfaceView mapped = same.input(0).map();
            assertMessage(IllegalStateException.class, () -> fp16.aliasOutputAsInput(0, same, 0), "mapped");
            mapped.close();
            fp16.aliasOutputAsInput(0, same, 0); // fine once the view is closed
        }
    }

    @Test
    void aClosedKernelRefusesEveryUse() {
        Surface x = fp16.input(0);
        fp16.close();
        List<Executable> uses = List.of(fp16::eval, () -> fp16.input(0), () -> fp16.output(0), fp16::inputCount,
                () -> x.write(new float[32]), x::readFloats, x::readShorts, x::map,
                () -> fp16.copyOutputTo(0, fp16, 0), () -> fp32.copyOutputTo(0, fp16, 0));
        for (Executable use : uses) assertMessage(IllegalStateException.class, use, "closed");
    }

    @Test
    void closingKernelsViewsAndSessionsTwiceIsHarmless() {
        SurfaceView view = fp16.input(0).map();
        view.close();
        view.close();
        fp16.close();
        fp16.close();
        assertTrue(fp16.isClosed());
        ane.close();
        ane.close();
        assertTrue(fp32.isClosed());
    }

    @Test
    void aliasingWithAClosedKernelOnEitherSideIsRefused() {
        Kernel open = ane.compile(Programs.addSelf(4, 8));
        fp16.close();
        assertMessage(IllegalStateException.class, () -> fp16.aliasOutputAsInput(0, open, 0), "closed");
        assertMessage(IllegalStateException.class, () -> open.aliasOutputAsInput(0, fp16, 0), "closed");
        open.eval(); // unharmed
    }

    @Test
    void aKernelBelongsToTheThreadThatCompiledIt() throws Exception {
        Surface x = fp16.input(0);
        List<Runnable> uses = List.of(fp16::eval, () -> fp16.input(0), () -> x.write(new float[32]), x::readFloats,
                x::map, fp16::close, () -> fp32.copyOutputTo(0, fp16, 0));
        for (Runnable use : uses) {
            Throwable t = failureOnAnotherThread(use);
            assertInstanceOf(WrongThreadException.class, t);
            assertTrue(t.getMessage().contains(Thread.currentThread().getName()), t.getMessage());
        }
        fp16.eval(); // unharmed on its own thread
    }

    @Test
    void aClosedSessionRefusesEveryUse() {
        ane.close();
        ane.close(); // idempotent
        assertTrue(fp16.isClosed() && fp32.isClosed(), "closing the session closed its kernels");
        MilProgram p = Programs.addSelf(4, 8);
        for (Executable use : List.<Executable>of(() -> ane.compile(p), () -> ane.compileDynamic(p, 0),
                ane::compileCount, ane::resetCompileCount, ane::realtime)) {
            assertMessage(IllegalStateException.class, use, "closed");
        }
        assertEquals("reference", ane.backendName());
    }

    @Test
    void programsTheBackendRejectsGiveLineAndColumn() {
        String text = """
                program(1.3)
                {
                    func main<ios18>(tensor<fp16, [1, 4, 1, 8]> x) {
                        tensor<fp16, [1,4,1,8]> out = frobnicate(x=x)[name=string("out")];
                    } -> (out);
                }
                """;
        MilCompileException e = assertThrows(MilCompileException.class, () -> ane.compile(MilProgram.parse(text)));
        assertEquals(4, e.line(), e.getMessage());
        assertTrue(e.column() > 0, e.getMessage());
        assertTrue(e.getMessage().contains("frobnicate"), e.getMessage());
    }

    @Test
    void anEvalFailureCarriesTheBackendsReason() {
        try (Kernel k = ane.compile(Programs.gather(4, 2)); Arena arena = Arena.ofConfined()) {
            k.input(0).write(new float[] {10, 20, 30, 40});
            k.input(1).write(arena.allocateFrom(java.lang.foreign.ValueLayout.JAVA_INT, 3, 1));
            k.eval();
            assertEquals(List.of(40f, 20f), List.of(k.output(0).readFloats()[0], k.output(0).readFloats()[1]));
            k.input(1).write(arena.allocateFrom(java.lang.foreign.ValueLayout.JAVA_INT, 0, 9));
            assertMessage(AneEvalException.class, k::eval, "eval: ", "out of range");
            k.input(1).write(arena.allocateFrom(java.lang.foreign.ValueLayout.JAVA_INT, 2, 0));
            k.eval(); // the kernel stays usable
            assertEquals(30f, k.output(0).readFloats()[0]);
        }
    }

    @Test
    void declaredShapesThatDisagreeWithTheOpAreRejected() {
        String text = """
                program(1.3)
                {
                    func main<ios18>(tensor<fp16, [1, 4, 1, 8]> x) {
                        tensor<fp16, [1,4,1,9]> out = add(x=x,y=x)[name=string("out")];
                    } -> (out);
                }
                """;
        MilCompileException e = assertThrows(MilCompileException.class, () -> ane.compile(MilProgram.parse(text)));
        assertEquals(4, e.line(), e.getMessage());
    }
}
