package io.github.ane4j;

import io.github.ane4j.mil.MilProgram;

/** Small MIL programs for the tests, in the upstream bridge's dialect, and naive reference computations. */
final class Programs {
    private Programs() {}

    private static final String HEADER = """
            program(1.3)
            [buildInfo = dict<string, string>({{"coremlc-component-MIL", "3510.2.1"}, {"coremlc-version", "3505.4.1"}})]
            {
            """;

    /** The upstream bridge test's dynamic matmul: x [1,K,1,M], weight W [1,N,K], out = W @ x as [1,N,M]. */
    static MilProgram dynMatmul(int n, int k, int m, String dtype) {
        return MilProgram.parse(HEADER + """
                    func main<ios18>(tensor<%4$s, [1, %2$d, 1, %3$d]> x, tensor<%4$s, [1, %1$d, %2$d]> W) {
                        tensor<int32, [3]> sh = const()[name=string("sh"), val=tensor<int32, [3]>([1,%2$d,%3$d])];
                        tensor<%4$s, [1,%2$d,%3$d]> x3 = reshape(shape=sh,x=x)[name=string("rx")];
                        bool bF = const()[name=string("bF"), val=bool(false)];
                        tensor<%4$s, [1,%1$d,%3$d]> out = matmul(transpose_x=bF,transpose_y=bF,x=W,y=x3)[name=string("mm")];
                    } -> (out);
                }
                """.formatted(n, k, m, dtype));
    }

    /** out = x + x over fp16 [1, c, 1, s]. */
    static MilProgram addSelf(int c, int s) {
        return MilProgram.parse(HEADER + """
                    func main<ios18>(tensor<fp16, [1, %1$d, 1, %2$d]> x) {
                        tensor<fp16, [1,%1$d,1,%2$d]> out = add(x=x,y=x)[name=string("out")];
                    } -> (out);
                }
                """.formatted(c, s));
    }

    /** Two outputs from two parameters: sum = x + y and prod = x * y, fp16 [1, c, 1, s]. */
    static MilProgram sumAndProduct(int c, int s) {
        return MilProgram.parse(HEADER + """
                    func main<ios18>(tensor<fp16, [1, %1$d, 1, %2$d]> x, tensor<fp16, [1, %1$d, 1, %2$d]> y) {
                        tensor<fp16, [1,%1$d,1,%2$d]> sum = add(x=x,y=y)[name=string("sum")];
                        tensor<fp16, [1,%1$d,1,%2$d]> prod = mul(x=x,y=y)[name=string("prod")];
                    } -> (sum, prod);
                }
                """.formatted(c, s));
    }

    /** A 1x1 conv with fp16 weights [out, in, 1, 1] from the BLOBFILE {@code path} at offset 64, fp32 I/O. */
    static MilProgram blobConv(int in, int out, int sp, String path) {
        return MilProgram.parse(HEADER + """
                    func main<ios18>(tensor<fp32, [1, %1$d, 1, %3$d]> x) {
                        string pt = const()[name=string("pt"), val=string("valid")];
                        tensor<int32, [2]> st = const()[name=string("st"), val=tensor<int32, [2]>([1,1])];
                        tensor<int32, [4]> pd = const()[name=string("pd"), val=tensor<int32, [4]>([0,0,0,0])];
                        tensor<int32, [2]> dl = const()[name=string("dl"), val=tensor<int32, [2]>([1,1])];
                        int32 gr = const()[name=string("gr"), val=int32(1)];
                        string to16 = const()[name=string("to16"), val=string("fp16")];
                        tensor<fp16, [1,%1$d,1,%3$d]> x16 = cast(dtype=to16,x=x)[name=string("cin")];
                        tensor<fp16, [%2$d,%1$d,1,1]> W = const()[name=string("W"), val=tensor<fp16, [%2$d,%1$d,1,1]>(BLOBFILE(path=string("%4$s"), offset=uint64(64)))];
                        tensor<fp16, [1,%2$d,1,%3$d]> y16 = conv(dilations=dl,groups=gr,pad=pd,pad_type=pt,strides=st,weight=W,x=x16)[name=string("conv")];
                        string to32 = const()[name=string("to32"), val=string("fp32")];
                        tensor<fp32, [1,%2$d,1,%3$d]> y = cast(dtype=to32,x=y16)[name=string("cout")];
                    } -> (y);
                }
                """.formatted(in, out, sp, path));
    }

    /** The dynamic matmul plus a bias [1, N, M] read from the BLOBFILE {@code path} at offset 64. */
    static MilProgram dynMatmulWithBlobBias(int n, int k, int m, String path) {
        return MilProgram.parse(HEADER + """
                    func main<ios18>(tensor<fp16, [1, %2$d, 1, %3$d]> x, tensor<fp16, [1, %1$d, %2$d]> W) {
                        tensor<int32, [3]> sh = const()[name=string("sh"), val=tensor<int32, [3]>([1,%2$d,%3$d])];
                        tensor<fp16, [1,%2$d,%3$d]> x3 = reshape(shape=sh,x=x)[name=string("rx")];
                        bool bF = const()[name=string("bF"), val=bool(false)];
                        tensor<fp16, [1,%1$d,%3$d]> mm = matmul(transpose_x=bF,transpose_y=bF,x=W,y=x3)[name=string("mm")];
                        tensor<fp16, [1,%1$d,%3$d]> b = const()[name=string("b"), val=tensor<fp16, [1,%1$d,%3$d]>(BLOBFILE(path=string("%4$s"), offset=uint64(64)))];
                        tensor<fp16, [1,%1$d,%3$d]> out = add(x=mm,y=b)[name=string("out")];
                    } -> (out);
                }
                """.formatted(n, k, m, path));
    }

    /** y = cast(x, dtype) for fp16 x [1, n]: an output surface of an integer type. */
    static MilProgram castTo(String dtype, int n) {
        return MilProgram.parse(HEADER + """
                    func main<ios18>(tensor<fp16, [1, %2$d]> x) {
                        string dt = const()[name=string("dt"), val=string("%1$s")];
                        tensor<%1$s, [1, %2$d]> y = cast(dtype=dt,x=x)[name=string("y")];
                    } -> (y);
                }
                """.formatted(dtype, n));
    }

    /** y = x[indices] along axis 0 of fp16 x [n], with int32 indices [k] given at run time. */
    static MilProgram gather(int n, int k) {
        return MilProgram.parse(HEADER + """
                    func main<ios18>(tensor<fp16, [%1$d]> x, tensor<int32, [%2$d]> indices) {
                        int32 ax = const()[name=string("ax"), val=int32(0)];
                        tensor<fp16, [%2$d]> y = gather(axis=ax,indices=indices,x=x)[name=string("g")];
                    } -> (y);
                }
                """.formatted(n, k));
    }

    /** out[n][m] = sum_k w[n][k] * x[k][m], all row-major, accumulated in double. */
    static float[] matmul(float[] w, float[] x, int n, int k, int m) {
        float[] out = new float[n * m];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < m; j++) {
                double acc = 0;
                for (int p = 0; p < k; p++) acc += (double) w[i * k + p] * x[p * m + j];
                out[i * m + j] = (float) acc;
            }
        }
        return out;
    }

    /** The n x n identity times {@code scale}, row-major. */
    static float[] scaledIdentity(int n, float scale) {
        float[] w = new float[n * n];
        for (int i = 0; i < n; i++) w[i * n + i] = scale;
        return w;
    }

    /** Values exactly representable in fp16 (multiples of 1/8 in [-8, 8)), varying with the index. */
    static float[] exactFp16Values(int count, int seed) {
        float[] v = new float[count];
        for (int i = 0; i < count; i++) v[i] = ((i * 37 + seed * 11) % 128 - 64) / 8f;
        return v;
    }
}
