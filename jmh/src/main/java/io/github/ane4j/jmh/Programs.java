package io.github.ane4j.jmh;

import io.github.ane4j.mil.MilProgram;

/** The MIL programs the benchmarks compile. */
final class Programs {
    /** Innermost axis of {@link #doubling}: 256 fp16 = 512 bytes, a multiple of the ANE's 64-byte rows. */
    static final int SPATIAL = 256;

    private Programs() {}

    /** y = x + x on x [1, floats / 256, 1, 256]: one fp16 input of {@code floats} elements, one output. */
    static MilProgram doubling(int floats) {
        if (floats <= 0 || floats % SPATIAL != 0) {
            throw new IllegalArgumentException("floats must be a positive multiple of " + SPATIAL + ", got " + floats);
        }
        return MilProgram.parse("""
                program(1.3)
                {
                    func main<ios18>(tensor<fp16, [1, %1$d, 1, %2$d]> x) {
                        tensor<fp16, [1, %1$d, 1, %2$d]> y = add(x = x, y = x)[name = string("y")];
                    } -> (y);
                }
                """.formatted(floats / SPATIAL, SPATIAL));
    }

    /** y [1, N, M] = W [1, N, K] · x, with x [1, K, 1, M] the input and W the dynamic weight (compile it
     *  with one weight). */
    static MilProgram linear(int k, int n, int m) { return linear(k, n, m, "y"); }

    /** {@link #linear(int, int, int)} whose last statement is named {@code name}: programs of distinct
     *  names are distinct texts, so each compiles for real (no compile-cache hit). */
    static MilProgram linear(int k, int n, int m, String name) {
        return MilProgram.parse("""
                program(1.3)
                {
                    func main<ios18>(tensor<fp16, [1, %1$d, 1, %3$d]> x, tensor<fp16, [1, %2$d, %1$d]> W) {
                        tensor<int32, [3]> shape = const()[name = string("shape"), val = tensor<int32, [3]>([1, %1$d, %3$d])];
                        tensor<fp16, [1, %1$d, %3$d]> x3 = reshape(shape = shape, x = x)[name = string("x3")];
                        bool no = const()[name = string("no"), val = bool(false)];
                        tensor<fp16, [1, %2$d, %3$d]> y = matmul(transpose_x = no, transpose_y = no, x = W, y = x3)[name = string("%4$s")];
                    } -> (y);
                }
                """.formatted(k, n, m, name));
    }
}
