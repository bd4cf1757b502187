package io.github.ane4j.mil;

import io.github.ane4j.DType;
import io.github.ane4j.WeightBlob;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Builds a MIL program one op at a time, checking dtypes and inferring every result's shape as each op is
 * added, with coremltools' semantics (NumPy broadcasting, negative axes, the defaults of each op). A
 * mistake throws {@link IllegalArgumentException} at the call that makes it, naming the op, its operands
 * and their types.
 *
 * <pre>{@code
 * MilBuilder b = MilBuilder.function("main");
 * Value x = b.input("x", DType.FP16, 1, dim, 1, seq);      // activations ...
 * Value w = b.weight("w", DType.FP16, 1, hidden, dim);     // ... and dynamic weights, in any order
 * Value h = b.matmul(w, b.reshape(x, 1, dim, seq));        // [1, hidden, seq], checked here
 * MilProgram p = b.returns(b.relu(h)).build();
 * }</pre>
 *
 * <p>The program is printed in the upstream style: every op argument is a named value (configuration
 * such as axes and flags becomes {@code const} statements, shared by equal constants), every statement
 * carries {@code [name = string(…)]}. Parameters come out as the bridge binds them: activations in
 * declaration order, then weights in declaration order, so {@code Ane.compile(program)} knows the weight
 * surfaces from the program. Constants of up to {@value #INLINE_LIMIT} elements are written inline; larger
 * fp16, fp32, int8 and uint8 constants go to weight files ({@code @model_path/weights/<name>.bin}, MIL blob
 * storage) that the program carries to the compile ({@link MilProgram#weightFiles()}).
 *
 * <p>Names: results are named after their op ({@code matmul}, {@code matmul_1} …); {@link #name} renames
 * one. Not thread-safe; one builder makes one program.
 *
 * <p>Errors: an operand that breaks a requirement its {@code @param} states (dtype, rank, shape, axis range)
 * throws {@link IllegalArgumentException}, as does a {@link Value} of another builder or one replaced by
 * {@link #name}; a {@code null} value where none is optional throws {@link NullPointerException}; adding to
 * the program after {@link #build()} throws {@link IllegalStateException}. Axes may be negative, counting
 * from the end. Shapes below are written outermost first.
 */
public final class MilBuilder {
    /** Constants with more elements than this are stored in weight files rather than written inline. */
    public static final int INLINE_LIMIT = 64;

    /** The {@code buildInfo} attribute the upstream generators write (copied from coremltools 9.0 output). */
    private static final Attribute BUILD_INFO = new Attribute("buildInfo", new Literal.Dict(
            new MilType.Dict(MilType.scalar(ElementType.STRING), MilType.scalar(ElementType.STRING)), List.of(
                    Map.entry("coremlc-component-MIL", "3510.2.1"), Map.entry("coremlc-version", "3505.4.1"),
                    Map.entry("coremltools-component-milinternal", ""), Map.entry("coremltools-version", "9.0"))));

    /**
     * Where dynamic weights live. {@link #PARAMETERS}: one function parameter (one surface) per weight.
     * {@link #PACKED}: the upstream's {@code training_dynamic} layout, activations and weights side by side in
     * the spatial axis of one {@code [1, C, 1, W]} input per channel count C, cut apart inside the program
     * ({@code slice_by_size}, {@code reshape}, and {@code transpose} for a weight stored transposed). The ops
     * a kernel applies to its values are the same in both layouts; {@link MilProgram#packedRegions()} says
     * where each value lives.
     */
    public enum WeightLayout {
        /** One function parameter, one surface, per activation input and per weight. */
        PARAMETERS,
        /** {@code [1, C, 1, W]} activations and the weights side by side in one packed input per channel count. */
        PACKED
    }

    /** How {@link #gelu(Value, GeluMode)} approximates. */
    public enum GeluMode {
        /** {@code 0.5·x·(1 + erf(x / √2))}. */
        EXACT,
        /** {@code 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))}. */
        TANH_APPROXIMATION,
        /** {@code x·sigmoid(1.702·x)}. */
        SIGMOID_APPROXIMATION
    }

    /** How {@link #conv} pads the spatial axes. */
    public enum PadType {
        /** No padding: the kernel stays inside the input. */
        VALID,
        /** Padding for {@code ceil(d / stride)} outputs per axis; an odd extra pad goes at the end. */
        SAME,
        /** As {@link #SAME}, with an odd extra pad at the beginning. */
        SAME_LOWER,
        /** The begin and end pads of {@link Conv#pad()}. */
        CUSTOM;

        String milName() { return name().toLowerCase(java.util.Locale.ROOT); }
    }

    /** One packed input of the PACKED layout: all regions with {@code channels} channels, in column order. */
    private static final class Group {
        final String name;
        final long channels;
        final ElementType dtype;
        long width;

        Group(String name, long channels, ElementType dtype) {
            this.name = name;
            this.channels = channels;
            this.dtype = dtype;
        }
    }

    private final String functionName;
    private final WeightLayout layout;
    private final List<Group> groups = new ArrayList<>();
    private final List<PackedRegion> regions = new ArrayList<>();
    private final List<Parameter> activations = new ArrayList<>();
    private final List<Parameter> weights = new ArrayList<>();
    private final List<Statement> statements = new ArrayList<>();
    private final Set<String> names = new HashSet<>();
    private final Map<Literal, Value> constants = new HashMap<>();
    private final Map<String, byte[]> weightFiles = new LinkedHashMap<>();
    private final Set<Value> renamed = new HashSet<>();
    private List<Value> outputs;
    private boolean built;

    private MilBuilder(String functionName, WeightLayout layout) {
        this.functionName = checkName(functionName);
        this.layout = Objects.requireNonNull(layout, "layout");
    }

    /**
     * A builder of a program whose one function is {@code name}, with one parameter per input and weight
     * ({@link WeightLayout#PARAMETERS}).
     *
     * @param name the function name, a MIL name (the bridge compiles {@code "main"})
     * @return a new builder
     * @throws IllegalArgumentException when {@code name} is not a MIL name
     */
    public static MilBuilder function(String name) { return function(name, WeightLayout.PARAMETERS); }

    /**
     * A builder of a program whose one function is {@code name}, its inputs and weights in {@code layout}.
     *
     * @param name   the function name, a MIL name (the bridge compiles {@code "main"})
     * @param layout where activation inputs and dynamic weights live
     * @return a new builder
     * @throws IllegalArgumentException when {@code name} is not a MIL name
     */
    public static MilBuilder function(String name, WeightLayout layout) {
        return new MilBuilder(Objects.requireNonNull(name, "name"), layout);
    }

    // ---- parameters and constants -------------------------------------------------------------------

    /**
     * Declares an activation input: a function parameter whose surface is written before each eval (with
     * {@link WeightLayout#PACKED}, a {@code [1, C, 1, S]} input is a region of a packed input; other shapes
     * stay parameters of their own).
     *
     * @param name  its MIL name, unique in the function
     * @param dtype the surface element type
     * @param shape its dimensions, each positive
     * @return the input, of {@code dtype} and {@code shape}
     * @throws IllegalArgumentException for a bad or taken name, or a dimension that is not positive
     */
    public Value input(String name, DType dtype, long... shape) {
        return parameter(name, dtype, shape, Parameter.Role.ACTIVATION, activations);
    }

    /**
     * Declares a dynamic weight: a function parameter whose surface is rewritten between evals without
     * recompiling. Weights follow every activation in the compiled signature. With {@link WeightLayout#PACKED}
     * the weight is a region of a packed input: a matrix {@code [1, R, K]} (stored as is next to activations
     * of R channels, else transposed next to activations of K channels) or a {@code [1, C, 1, W]} block.
     *
     * @param name  its MIL name, unique in the function
     * @param dtype the surface element type
     * @param shape its dimensions, each positive
     * @return the weight, of {@code dtype} and {@code shape}
     * @throws IllegalArgumentException for a bad or taken name, or a dimension that is not positive, or (packed)
     *                                  a shape the packed layout does not hold
     */
    public Value weight(String name, DType dtype, long... shape) {
        return parameter(name, dtype, shape, Parameter.Role.WEIGHT, weights);
    }

    /**
     * {@code value} under the name {@code name} in the MIL text (statement results are otherwise named after
     * their op: {@code matmul}, {@code matmul_1} …). Every use made of it so far follows the new name; use the
     * returned value from now on (the old one is refused).
     *
     * <pre>{@code Value y = b.name("y", b.matmul(w, x));}</pre>
     *
     * @param name  the new name, a MIL name not yet taken
     * @param value a statement result of this builder (a constant or an op result)
     * @return the same value under the new name, of the same type
     * @throws IllegalArgumentException for a bad or taken name, or a parameter (named when declared)
     */
    public Value name(String name, Value value) {
        checkOpen();
        own(value);
        checkFresh(name);
        String old = value.name();
        int at = definition(old);
        if (at < 0) throw new IllegalArgumentException(value + " is a parameter: it is named when declared");
        Statement s = statements.get(at);
        List<Statement.Result> results = new ArrayList<>();
        for (Statement.Result r : s.results()) results.add(r.name().equals(old) ? new Statement.Result(name, r.type()) : r);
        List<Attribute> attrs = new ArrayList<>();
        for (Attribute a : s.attributes()) {
            attrs.add(a.key().equals("name") && s.results().size() == 1 ? new Attribute("name", Literal.string(name)) : a);
        }
        statements.set(at, new Statement(results, s.op(), s.arguments(), attrs));
        for (int i = at + 1; i < statements.size(); i++) statements.set(i, renameUses(statements.get(i), old, name));
        Value v = new Value(this, name, value.type());
        names.remove(old);
        names.add(name);
        renamed.add(value);
        constants.replaceAll((literal, c) -> c == value ? v : c);
        if (outputs != null) outputs = outputs.stream().map(o -> o == value ? v : o).toList();
        return v;
    }

    /**
     * A constant tensor of {@code dtype} and {@code shape} holding {@code values} row-major (fp16 values are
     * rounded to nearest even by the compiler). Equal constants are shared.
     *
     * @param dtype  the element type
     * @param shape  its dimensions, each positive
     * @param values one per element, row-major
     * @return the constant, of {@code dtype} and {@code shape}
     * @throws IllegalArgumentException when the value count differs from the element count, a value does not
     *                                  fit the dtype (or is not an integer for an integer dtype), or NaN/infinite
     */
    public Value constant(DType dtype, long[] shape, double... values) {
        ElementType et = ElementType.of(dtype);
        MilType.Tensor type = MilType.tensor(et, shape);
        checkValues("constant", et, values);
        if (type.elementCount() != values.length) {
            throw new IllegalArgumentException("constant " + type.text() + " needs " + type.elementCount() + " values, got " + values.length);
        }
        if (values.length > INLINE_LIMIT && dtype != DType.INT32) return blobConstant(type, values);
        return constant(new Literal.Numbers(type, values));
    }

    /**
     * A scalar constant such as {@code fp16(0.125)}. Equal constants are shared.
     *
     * @param dtype the element type
     * @param value the number, one {@code dtype} holds
     * @return the constant, a scalar of {@code dtype}
     * @throws IllegalArgumentException when the value does not fit the dtype
     */
    public Value scalar(DType dtype, double value) {
        ElementType et = ElementType.of(dtype);
        checkValues("scalar", et, new double[] {value});
        return constant(new Literal.Numbers(MilType.scalar(et), new double[] {value}));
    }

    /**
     * A constant of any literal (strings, bools, lists …). Equal literals are shared.
     *
     * @param literal its value
     * @return the constant, of the literal's type
     */
    public Value constant(Literal literal) {
        checkOpen();
        Objects.requireNonNull(literal, "literal");
        Value v = constants.get(literal);
        if (v != null) return v;
        Value c = emit("const", "c", literal.type(), List.of(), List.of(new Attribute("val", literal)));
        constants.put(literal, c);
        return c;
    }

    // ---- elementwise --------------------------------------------------------------------------------

    /**
     * {@code x + y}, broadcasting.
     *
     * @param x a numeric value (not bool or string)
     * @param y a value of x's dtype whose shape broadcasts with x's
     * @return the result, of x's dtype and the broadcast shape of x and y
     */
    public Value add(Value x, Value y) { return binary("add", x, y); }

    /**
     * {@code x + c}, {@code c} a scalar of x's dtype.
     *
     * @param x a numeric value (not bool or string)
     * @param c a number x's dtype holds
     * @return the result, of x's dtype and shape
     */
    public Value add(Value x, double c) { return add(x, scalarLike(x, c)); }

    /**
     * {@code x - y}, broadcasting.
     *
     * @param x a numeric value (not bool or string)
     * @param y a value of x's dtype whose shape broadcasts with x's
     * @return the result, of x's dtype and the broadcast shape of x and y
     */
    public Value sub(Value x, Value y) { return binary("sub", x, y); }

    /**
     * {@code x - c}, {@code c} a scalar of x's dtype.
     *
     * @param x a numeric value (not bool or string)
     * @param c a number x's dtype holds
     * @return the result, of x's dtype and shape
     */
    public Value sub(Value x, double c) { return sub(x, scalarLike(x, c)); }

    /**
     * {@code c - y}, {@code c} a scalar of y's dtype.
     *
     * @param c a number y's dtype holds
     * @param y a numeric value (not bool or string)
     * @return the result, of y's dtype and shape
     */
    public Value sub(double c, Value y) { return sub(scalarLike(y, c), y); }

    /**
     * {@code x · y} elementwise, broadcasting.
     *
     * @param x a numeric value (not bool or string)
     * @param y a value of x's dtype whose shape broadcasts with x's
     * @return the result, of x's dtype and the broadcast shape of x and y
     */
    public Value mul(Value x, Value y) { return binary("mul", x, y); }

    /**
     * {@code x · c}, {@code c} a scalar of x's dtype.
     *
     * @param x a numeric value (not bool or string)
     * @param c a number x's dtype holds
     * @return the result, of x's dtype and shape
     */
    public Value mul(Value x, double c) { return mul(x, scalarLike(x, c)); }

    /**
     * {@code x / y} elementwise, broadcasting.
     *
     * @param x a numeric value (not bool or string)
     * @param y a value of x's dtype whose shape broadcasts with x's
     * @return the result, of x's dtype and the broadcast shape of x and y
     */
    public Value realDiv(Value x, Value y) { return binary("real_div", x, y); }

    /**
     * {@code x ^ y} elementwise, broadcasting.
     *
     * @param x a numeric value (not bool or string)
     * @param y a value of x's dtype whose shape broadcasts with x's
     * @return the result, of x's dtype and the broadcast shape of x and y
     */
    public Value pow(Value x, Value y) { return binary("pow", x, y); }

    /**
     * {@code x ^ c}, {@code c} a scalar of x's dtype.
     *
     * @param x a numeric value (not bool or string)
     * @param c a number x's dtype holds
     * @return the result, of x's dtype and shape
     */
    public Value pow(Value x, double c) { return pow(x, scalarLike(x, c)); }

    /**
     * Elementwise maximum, broadcasting.
     *
     * @param x a numeric value (not bool or string)
     * @param y a value of x's dtype whose shape broadcasts with x's
     * @return the result, of x's dtype and the broadcast shape of x and y
     */
    public Value maximum(Value x, Value y) { return binary("maximum", x, y); }

    /**
     * Elementwise minimum, broadcasting.
     *
     * @param x a numeric value (not bool or string)
     * @param y a value of x's dtype whose shape broadcasts with x's
     * @return the result, of x's dtype and the broadcast shape of x and y
     */
    public Value minimum(Value x, Value y) { return binary("minimum", x, y); }

    /**
     * {@code max(x, 0)}.
     *
     * @param x an fp16 or fp32 value
     * @return the result, of x's type
     */
    public Value relu(Value x) { return unary("relu", x); }

    /**
     * Hyperbolic tangent.
     *
     * @param x an fp16 or fp32 value
     * @return the result, of x's type
     */
    public Value tanh(Value x) { return unary("tanh", x); }

    /**
     * {@code e^x}.
     *
     * @param x an fp16 or fp32 value
     * @return the result, of x's type
     */
    public Value exp(Value x) { return unary("exp", x); }

    /**
     * Square root.
     *
     * @param x an fp16 or fp32 value
     * @return the result, of x's type
     */
    public Value sqrt(Value x) { return unary("sqrt", x); }

    /**
     * {@code 1 / (1 + e^-x)}.
     *
     * @param x an fp16 or fp32 value
     * @return the result, of x's type
     */
    public Value sigmoid(Value x) { return unary("sigmoid", x); }

    /**
     * {@code x · sigmoid(x)}.
     *
     * @param x an fp16 or fp32 value
     * @return the result, of x's type
     */
    public Value silu(Value x) { return unary("silu", x); }

    /**
     * {@code 1 / sqrt(x + 1e-12)} (coremltools' default epsilon, which is 0 in fp16).
     *
     * @param x an fp16 or fp32 value
     * @return the result, of x's type
     */
    public Value rsqrt(Value x) { return unary("rsqrt", x); }

    /**
     * {@code 1 / sqrt(x + epsilon)}, epsilon a constant of x's dtype.
     *
     * @param x       an fp16 or fp32 value
     * @param epsilon added before the square root; a number x's dtype holds
     * @return the result, of x's type
     */
    public Value rsqrt(Value x, double epsilon) {
        requireFloat("rsqrt", "x", x);
        return op("rsqrt", x.type(), arg("x", x), arg("epsilon", scalarLiteral(x, epsilon)));
    }

    /**
     * GELU, exact (erf): {@link GeluMode#EXACT}.
     *
     * @param x an fp16 or fp32 value
     * @return the result, of x's type
     */
    public Value gelu(Value x) { return unary("gelu", x); }

    /**
     * GELU in the given mode.
     *
     * @param x    an fp16 or fp32 value
     * @param mode the formula
     * @return the result, of x's type
     */
    public Value gelu(Value x, GeluMode mode) {
        requireFloat("gelu", "x", x);
        return op("gelu", x.type(), arg("x", x), arg("mode", string(mode.name())));
    }

    /**
     * The same values under a new name (a copy on the ANE).
     *
     * @param x any value
     * @return the copy, of x's type
     */
    public Value identity(Value x) {
        own(x);
        return op("identity", x.type(), arg("x", x));
    }

    /**
     * {@code x} converted to {@code dtype} (fp32 → fp16 rounds to nearest even; to integers saturates).
     *
     * @param x     any value but a string
     * @param dtype fp16, fp32, int32, int16, uint16, int8, uint8 or bool
     * @return the result, of x's shape and {@code dtype}
     */
    public Value cast(Value x, ElementType dtype) {
        own(x);
        Set<ElementType> targets = Set.of(ElementType.FP16, ElementType.FP32, ElementType.INT32, ElementType.INT16,
                ElementType.UINT16, ElementType.INT8, ElementType.UINT8, ElementType.BOOL);
        if (!targets.contains(dtype)) throw fail("cast", "cannot convert to " + dtype, x);
        if (x.dtype() == ElementType.STRING) throw fail("cast", "cannot convert a string", x);
        return op("cast", withDtype(x.type(), dtype), arg("dtype", string(dtype.milName())), arg("x", x));
    }

    // ---- layout -------------------------------------------------------------------------------------

    /**
     * {@code x} with a new shape, same elements in row-major order. An entry -1 takes the size that keeps the
     * element count (at most one); 0 copies the dimension of x at the same position counted from the right.
     *
     * @param x     any value
     * @param shape the new dimensions: positive, 0 or a single -1, holding x's element count
     * @return the result, of x's dtype and {@code shape} with its 0 and -1 entries resolved
     */
    public Value reshape(Value x, long... shape) {
        own(x);
        long[] xs = x.shape();
        long count = count(xs);
        long[] out = shape.clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < out.length; i++) {
            int j = xs.length - (out.length - i);
            if (out[i] == 0) out[i] = j >= 0 ? xs[j] : 1;
            if (out[i] == -1 && infer < 0) {
                infer = i;
            } else if (out[i] < 1) {
                throw fail("reshape", "shape " + Arrays.toString(shape) + ": entries must be positive, 0 or a single -1", x);
            } else {
                known = Math.multiplyExact(known, out[i]);
            }
        }
        if (infer >= 0) {
            if (known > count || count % known != 0) throw fail("reshape", "no size for the -1 in " + Arrays.toString(shape) + " keeps " + count + " elements", x);
            out[infer] = count / known;
            known = count;
        }
        if (known != count) throw fail("reshape", "shape " + Arrays.toString(shape) + " holds " + known + " elements, x has " + count, x);
        return op("reshape", MilType.tensor(x.dtype(), out), arg("shape", ints(shape)), arg("x", x));
    }

    /**
     * {@code x} with its axes permuted: result axis i is x's axis {@code perm[i]} (negative counts from the end).
     *
     * @param x    any value
     * @param perm a permutation of x's axes, one entry per axis
     * @return the result, of x's dtype and shape {@code [x.dim(perm[0]), x.dim(perm[1]), …]}
     */
    public Value transpose(Value x, int... perm) {
        own(x);
        long[] xs = x.shape();
        if (perm.length != xs.length) throw fail("transpose", "perm " + Arrays.toString(perm) + " needs " + xs.length + " entries", x);
        long[] out = new long[xs.length];
        boolean[] used = new boolean[xs.length];
        for (int i = 0; i < perm.length; i++) {
            int a = axis("transpose", "perm", perm[i], xs.length, x);
            if (used[a]) throw fail("transpose", "perm " + Arrays.toString(perm) + " repeats an axis", x);
            used[a] = true;
            out[i] = xs[a];
        }
        return op("transpose", MilType.tensor(x.dtype(), out), arg("perm", ints(toLongs(perm))), arg("x", x));
    }

    /**
     * The block of {@code x} starting at {@code begin} (negative counts from the end) of {@code size}
     * elements per axis (-1: to the end).
     *
     * @param x     any value
     * @param begin the first index per axis, inside x
     * @param size  elements per axis, 1 to {@code dim - begin}, or -1
     * @return the block, of x's dtype and shape {@code size} with its -1 entries resolved
     */
    public Value sliceBySize(Value x, long[] begin, long[] size) {
        own(x);
        long[] xs = x.shape();
        requireLength("slice_by_size", "begin", begin, xs.length, x);
        requireLength("slice_by_size", "size", size, xs.length, x);
        long[] out = new long[xs.length];
        for (int i = 0; i < xs.length; i++) {
            long at = begin[i] < 0 ? begin[i] + xs[i] : begin[i];
            if (at < 0 || at >= xs[i]) throw fail("slice_by_size", "begin " + Arrays.toString(begin) + " is outside x", x);
            long len = size[i] == -1 ? xs[i] - at : size[i];
            if (len < 1 || at + len > xs[i]) throw fail("slice_by_size", "size " + Arrays.toString(size) + " must be -1 or 1..(dim - begin) on every axis", x);
            out[i] = len;
        }
        return op("slice_by_size", MilType.tensor(x.dtype(), out), arg("begin", ints(begin)), arg("size", ints(size)), arg("x", x));
    }

    /**
     * NumPy's {@code x[begin:end]} on every axis (stride 1, no masks).
     *
     * @param x     any value
     * @param begin the first index per axis (negative counts from the end; clamped)
     * @param end   the index past the last per axis (negative counts from the end; clamped)
     * @return the slice, of x's dtype and shape {@code end - begin} per axis after clamping, each at least 1
     */
    public Value sliceByIndex(Value x, long[] begin, long[] end) { return sliceByIndex(x, begin, end, null, null, null, null); }

    /**
     * NumPy's {@code x[begin:end:stride]} per axis: negative indices count from the end, out-of-range bounds are
     * clamped; a true {@code beginMask}/{@code endMask} entry ignores begin/end (0 / the dimension, or the reverse
     * for a negative stride); a true {@code squeezeMask} entry takes the single index {@code begin} and drops the
     * axis. {@code null} arrays take the defaults: stride 1, masks false.
     *
     * @param x           any value
     * @param begin       the first index per axis
     * @param end         the index past the last per axis
     * @param stride      the step per axis, not 0; or {@code null}
     * @param beginMask   per axis, whether to ignore {@code begin}; or {@code null}
     * @param endMask     per axis, whether to ignore {@code end}; or {@code null}
     * @param squeezeMask per axis, whether to take index {@code begin} (inside x) and drop the axis; or {@code null}
     * @return the slice, of x's dtype: per kept axis the (non-zero) number of indices taken
     */
    public Value sliceByIndex(Value x, long[] begin, long[] end, long[] stride, boolean[] beginMask, boolean[] endMask,
                              boolean[] squeezeMask) {
        own(x);
        String op = "slice_by_index";
        long[] xs = x.shape();
        int r = xs.length;
        requireLength(op, "begin", begin, r, x);
        requireLength(op, "end", end, r, x);
        long[] st = stride == null ? filled(r, 1) : stride;
        requireLength(op, "stride", st, r, x);
        for (boolean[] mask : new boolean[][] {beginMask, endMask, squeezeMask}) {
            if (mask != null && mask.length != r) throw fail(op, "a mask has " + mask.length + " entries, x has rank " + r, x);
        }
        List<Long> out = new ArrayList<>();
        for (int i = 0; i < r; i++) {
            long d = xs[i];
            if (squeezeMask != null && squeezeMask[i]) {
                long first = begin[i] < 0 ? begin[i] + d : begin[i];
                if (first < 0 || first >= d) throw fail(op, "squeezed index " + begin[i] + " on axis " + i + " is outside x", x);
                continue;
            }
            if (st[i] == 0) throw fail(op, "stride must not be 0", x);
            long len = sliceLength(d, begin[i], end[i], st[i], beginMask != null && beginMask[i], endMask != null && endMask[i]);
            if (len < 1) throw fail(op, "the slice of axis " + i + " is empty", x);
            out.add(len);
        }
        List<Argument> args = new ArrayList<>(List.of(arg("begin", ints(begin)), arg("end", ints(end))));
        if (stride != null) args.add(arg("stride", ints(stride)));
        if (beginMask != null) args.add(arg("begin_mask", bools(beginMask)));
        if (endMask != null) args.add(arg("end_mask", bools(endMask)));
        if (squeezeMask != null) args.add(arg("squeeze_mask", bools(squeezeMask)));
        args.add(arg("x", x));
        return op(op, resultType(x.dtype(), out.stream().mapToLong(Long::longValue).toArray()), args);
    }

    /**
     * {@code values} joined along {@code axis}.
     *
     * @param axis   the axis to join along
     * @param values at least one value, all of one dtype and rank (1 or more), equal on every other axis
     * @return the result, the shape of the first value with {@code axis} the sum of theirs
     */
    public Value concat(int axis, Value... values) { return concat(axis, false, values); }

    /**
     * {@code values} joined along {@code axis}; with {@code interleave}, equal-shaped values are interleaved
     * element by element along the axis instead of placed one after another.
     *
     * @param axis       the axis to join along
     * @param interleave whether to interleave (the values' shapes must then be equal)
     * @param values     at least one value, all of one dtype and rank (1 or more), equal on every other axis
     * @return the result, the shape of the first value with {@code axis} the sum of theirs
     */
    public Value concat(int axis, boolean interleave, Value... values) {
        String op = "concat";
        if (values.length == 0) throw new IllegalArgumentException("concat needs at least one value");
        for (Value v : values) own(v);
        Value first = values[0];
        long[] out = first.shape();
        if (out.length < 1) throw fail(op, "values must have rank 1 or more", values);
        int a = axis(op, "axis", axis, out.length, values);
        for (int i = 1; i < values.length; i++) {
            long[] s = values[i].shape();
            if (values[i].dtype() != first.dtype()) throw fail(op, "values must all have the same dtype", values);
            if (s.length != out.length) throw fail(op, "values must all have the same rank", values);
            for (int k = 0; k < s.length; k++) {
                if ((k != a || interleave) && s[k] != first.shape()[k]) {
                    throw fail(op, interleave ? "interleaved values must have equal shapes" : "values differ in an axis other than " + axis, values);
                }
            }
            out[a] += s[a];
        }
        return op(op, MilType.tensor(first.dtype(), out), arg("axis", int32(axis)), arg("interleave", bool(interleave)),
                new Argument("values", new Operand.Tuple(Arrays.stream(values).map(Value::name).toList())));
    }

    /**
     * {@code x} cut into {@code numSplits} equal pieces along {@code axis}.
     *
     * @param x         a value of rank 1 or more
     * @param axis      the axis to cut
     * @param numSplits the number of pieces, dividing the axis
     * @return the pieces in order, each of x's shape with {@code axis} divided by {@code numSplits}
     */
    public List<Value> split(Value x, int axis, int numSplits) {
        own(x);
        long[] xs = x.shape();
        int a = axis("split", "axis", axis, xs.length, x);
        if (numSplits < 1 || xs[a] % numSplits != 0) throw fail("split", numSplits + " pieces do not divide axis " + axis, x);
        long[] sizes = filled(numSplits, xs[a] / numSplits);
        return splitInto(x, a, sizes, arg("axis", int32(axis)), arg("num_splits", int32(numSplits)), arg("x", x));
    }

    /**
     * {@code x} cut along {@code axis} into pieces of the given sizes.
     *
     * @param x     a value of rank 1 or more
     * @param axis  the axis to cut
     * @param sizes the pieces' sizes along the axis, positive, adding up to the axis size
     * @return the pieces in order, piece i of x's shape with {@code axis} of {@code sizes[i]}
     */
    public List<Value> split(Value x, int axis, long... sizes) {
        own(x);
        long[] xs = x.shape();
        int a = axis("split", "axis", axis, xs.length, x);
        long sum = 0;
        for (long s : sizes) {
            if (s < 1) throw fail("split", "split sizes " + Arrays.toString(sizes) + " must be positive", x);
            sum += s;
        }
        if (sum != xs[a]) throw fail("split", "split sizes " + Arrays.toString(sizes) + " do not add up to " + xs[a], x);
        return splitInto(x, a, sizes, arg("axis", int32(axis)), arg("split_sizes", ints(sizes)), arg("x", x));
    }

    /**
     * The slices of {@code x} along {@code axis} picked by integer {@code indices} (negative counts from the end).
     *
     * @param x       any value of rank 1 or more
     * @param indices an integer value (any rank)
     * @param axis    the axis of x the indices pick along
     * @return the result, of x's dtype and shape {@code x[:axis] + indices + x[axis+1:]}
     */
    public Value gather(Value x, Value indices, int axis) {
        own(x);
        own(indices);
        if (!indices.dtype().isInteger()) throw fail("gather", "indices must be integers", x, indices);
        long[] xs = x.shape(), is = indices.shape();
        int a = axis("gather", "axis", axis, xs.length, x);
        long[] out = new long[xs.length - 1 + is.length];
        int k = 0;
        for (int i = 0; i < a; i++) out[k++] = xs[i];
        for (long d : is) out[k++] = d;
        for (int i = a + 1; i < xs.length; i++) out[k++] = xs[i];
        return op("gather", resultType(x.dtype(), out), arg("axis", int32(axis)), arg("indices", indices), arg("x", x));
    }

    /**
     * {@code x} with elements outside a band of its last two axes zeroed: keeps row − col ≤ lower and
     * col − row ≤ upper; a negative bound keeps that whole triangle.
     *
     * @param x     a value of rank 2 or more
     * @param lower how many diagonals below the main one to keep, or negative for all
     * @param upper how many diagonals above the main one to keep, or negative for all
     * @return the result, of x's type
     */
    public Value bandPart(Value x, long lower, long upper) {
        own(x);
        if (x.rank() < 2) throw fail("band_part", "x must have rank 2 or more", x);
        return op("band_part", x.type(), arg("lower", int32(lower)), arg("upper", int32(upper)), arg("x", x));
    }

    // ---- contractions -------------------------------------------------------------------------------

    /**
     * NumPy's {@code x @ y}: see {@link #matmul(Value, Value, boolean, boolean)}.
     *
     * @param x an fp16, fp32 or int32 value {@code [..., M, K]} (or {@code [K]})
     * @param y a value of x's dtype {@code [..., K, N]} (or {@code [K]})
     * @return the result, of x's dtype and shape {@code [broadcast batch..., M, N]}
     */
    public Value matmul(Value x, Value y) { return matmul(x, y, false, false); }

    /**
     * NumPy's {@code x @ y} after swapping the last two axes of x and/or y: batch axes broadcast, a rank-1
     * operand is a row (x) or a column (y) whose added axis is dropped from the result.
     *
     * @param x          an fp16, fp32 or int32 value {@code [..., M, K]} ({@code [..., K, M]} transposed, or {@code [K]})
     * @param y          a value of x's dtype {@code [..., K, N]} ({@code [..., N, K]} transposed, or {@code [K]})
     * @param transposeX whether to swap the last two axes of x first
     * @param transposeY whether to swap the last two axes of y first
     * @return the result, of x's dtype and shape {@code [broadcast batch..., M, N]}
     */
    public Value matmul(Value x, Value y, boolean transposeX, boolean transposeY) {
        own(x);
        own(y);
        String op = "matmul";
        if (x.dtype() != ElementType.INT32) requireFloat(op, "x", x);
        requireSameDtype(op, x, y);
        if (x.rank() < 1 || y.rank() < 1) throw fail(op, "x and y must have rank 1 or more", x, y);
        long[] xs = x.shape(), ys = y.shape();
        boolean xVec = xs.length == 1, yVec = ys.length == 1;
        int tx = xVec ? 0 : transposeX ? 1 : 0, ty = yVec ? 0 : transposeY ? 1 : 0;
        if (xVec) xs = new long[] {1, xs[0]};
        if (yVec) ys = new long[] {ys[0], 1};
        long m = xs[xs.length - 2 + tx], kx = xs[xs.length - 1 - tx];
        long ky = ys[ys.length - 2 + ty], n = ys[ys.length - 1 - ty];
        if (kx != ky) throw fail(op, "inner dimensions differ: " + kx + " (x" + (transposeX ? "ᵀ" : "") + ") and " + ky
                + " (y" + (transposeY ? "ᵀ" : "") + ")", x, y);
        long[] batch = broadcast(op, Arrays.copyOf(xs, xs.length - 2), Arrays.copyOf(ys, ys.length - 2), x, y);
        List<Long> out = new ArrayList<>();
        for (long d : batch) out.add(d);
        if (!xVec) out.add(m);
        if (!yVec) out.add(n);
        return op(op, resultType(x.dtype(), out.stream().mapToLong(Long::longValue).toArray()),
                arg("transpose_x", bool(transposeX)), arg("transpose_y", bool(transposeY)), arg("x", x), arg("y", y));
    }

    /**
     * {@code x · weightᵀ}.
     *
     * @param x      an fp16 or fp32 value {@code [..., D_in]}
     * @param weight an fp16 or fp32 value {@code [D_out, D_in]}
     * @return the result, of x's dtype and shape {@code [..., D_out]}
     */
    public Value linear(Value x, Value weight) { return linear(x, weight, null); }

    /**
     * {@code x · weightᵀ + bias}.
     *
     * @param x      an fp16 or fp32 value {@code [..., D_in]}
     * @param weight an fp16 or fp32 value {@code [D_out, D_in]}
     * @param bias   a value of weight's dtype {@code [D_out]}, or {@code null} for none
     * @return the result, of x's dtype and shape {@code [..., D_out]}
     */
    public Value linear(Value x, Value weight, Value bias) {
        own(x);
        own(weight);
        String op = "linear";
        requireFloat(op, "x", x);
        requireFloat(op, "weight", weight);
        long[] xs = x.shape(), ws = weight.shape();
        if (xs.length < 1) throw fail(op, "x must have rank 1 or more", x, weight);
        if (ws.length != 2) throw fail(op, "weight must be [D_out, D_in]", x, weight);
        if (ws[1] != xs[xs.length - 1]) throw fail(op, "weight has D_in " + ws[1] + ", x has " + xs[xs.length - 1], x, weight);
        List<Argument> args = biasArgument(op, bias, ws[0], x, weight);
        args.add(arg("weight", weight));
        args.add(arg("x", x));
        long[] out = xs.clone();
        out[out.length - 1] = ws[0];
        return op(op, MilType.tensor(x.dtype(), out), args);
    }

    /**
     * A convolution with stride 1, no padding, no dilation, one group and no bias ({@link Conv#DEFAULTS}).
     *
     * @param x      an fp16 or fp32 value {@code [N, C_in, *spatial]} (1 to 3 spatial axes)
     * @param weight an fp16 or fp32 value {@code [C_out, C_in, *kernel]}, each kernel axis at most its spatial axis
     * @return the result, of x's dtype and shape {@code [N, C_out, *(spatial - kernel + 1)]}
     */
    public Value conv(Value x, Value weight) { return conv(x, weight, Conv.DEFAULTS); }

    /**
     * A convolution: x {@code [N, C_in, *spatial]} (1 to 3 spatial axes), weight
     * {@code [C_out, C_in / groups, *kernel]}; output {@code [N, C_out, *out]} with
     * {@code out = (d + pads - (k - 1) · dilation - 1) / stride + 1}.
     *
     * @param x       an fp16 or fp32 value {@code [N, C_in, *spatial]} (1 to 3 spatial axes)
     * @param weight  an fp16 or fp32 value {@code [C_out, C_in / groups, *kernel]}, the dilated kernel no larger than
     *                the padded input
     * @param options strides, padding, dilations, groups and bias; {@link Conv#DEFAULTS} for none
     * @return the result, of x's dtype and shape {@code [N, C_out, *out]}
     */
    public Value conv(Value x, Value weight, Conv options) {
        own(x);
        own(weight);
        String op = "conv";
        requireFloat(op, "x", x);
        requireFloat(op, "weight", weight);
        long[] xs = x.shape(), ws = weight.shape();
        int nsp = xs.length - 2;
        if (nsp < 1 || nsp > 3) throw fail(op, "x must be [N, C, spatial...] with 1 to 3 spatial axes", x, weight);
        if (ws.length != xs.length) throw fail(op, "weight has rank " + ws.length + ", x has rank " + xs.length, x, weight);
        long groups = options.groups();
        if (groups < 1 || xs[1] % groups != 0 || ws[0] % groups != 0) throw fail(op, "groups " + groups + " must divide the input and output channels", x, weight);
        if (ws[1] * groups != xs[1]) throw fail(op, "weight has " + ws[1] + " input channels per group, x needs " + xs[1] / groups, x, weight);
        long[] strides = options.strides() == null ? filled(nsp, 1) : options.strides();
        long[] dilations = options.dilations() == null ? filled(nsp, 1) : options.dilations();
        for (long[] v : new long[][] {strides, dilations}) {
            if (v.length != nsp) throw fail(op, "strides and dilations need " + nsp + " entries", x, weight);
            for (long e : v) if (e < 1) throw fail(op, "strides and dilations must be positive", x, weight);
        }
        long[] pad = options.pad() == null ? new long[2 * nsp] : options.pad();
        if (pad.length != 2 * nsp) throw fail(op, "pad needs " + 2 * nsp + " entries (begin, end per spatial axis)", x, weight);
        long[] out = xs.clone();
        out[1] = ws[0];
        for (int i = 0; i < nsp; i++) {
            long d = xs[2 + i], eff = (ws[2 + i] - 1) * dilations[i] + 1, lo = 0, hi = 0;
            switch (options.padType()) {
                case CUSTOM -> {
                    lo = pad[2 * i];
                    hi = pad[2 * i + 1];
                    if (lo < 0 || hi < 0) throw fail(op, "pads must not be negative", x, weight);
                }
                case SAME, SAME_LOWER -> {
                    long o = (d + strides[i] - 1) / strides[i];
                    long total = Math.max(0, (o - 1) * strides[i] + eff - d);
                    lo = options.padType() == PadType.SAME ? total / 2 : total - total / 2;
                    hi = total - lo;
                }
                case VALID -> { }
            }
            if (d + lo + hi < eff) throw fail(op, "the dilated kernel (" + eff + ") is larger than the padded input (" + (d + lo + hi) + ")", x, weight);
            out[2 + i] = (d + lo + hi - eff) / strides[i] + 1;
        }
        List<Argument> args = biasArgument(op, options.bias(), ws[0], x, weight);
        args.add(arg("dilations", ints(dilations)));
        args.add(arg("groups", int32(groups)));
        args.add(arg("pad", ints(pad)));
        args.add(arg("pad_type", string(options.padType().milName())));
        args.add(arg("strides", ints(strides)));
        args.add(arg("weight", weight));
        args.add(arg("x", x));
        return op(op, MilType.tensor(x.dtype(), out), args);
    }

    /**
     * Options of {@link #conv(Value, Value, Conv)}; {@code null} arrays take the defaults (strides and
     * dilations 1, pads 0).
     *
     * @param strides   one per spatial axis
     * @param padType   how to pad
     * @param pad       begin and end per spatial axis, used with {@link PadType#CUSTOM}
     * @param dilations one per spatial axis
     * @param groups    channel groups (divides input and output channels)
     * @param bias      {@code [C_out]} or {@code null} (the ANE is reported to reject conv biases: add after)
     */
    public record Conv(long[] strides, PadType padType, long[] pad, long[] dilations, long groups, Value bias) {
        /** Stride 1, valid padding, no dilation, one group, no bias. */
        public static final Conv DEFAULTS = new Conv(null, PadType.VALID, null, null, 1, null);

        /**
         * Copies the arrays.
         *
         * @throws NullPointerException when {@code padType} is null
         */
        public Conv {
            Objects.requireNonNull(padType, "padType");
            strides = strides == null ? null : strides.clone();
            pad = pad == null ? null : pad.clone();
            dilations = dilations == null ? null : dilations.clone();
        }

        /**
         * These options with the given strides.
         *
         * @param s one stride per spatial axis, each positive
         * @return the new options
         */
        public Conv withStrides(long... s) { return new Conv(s, padType, pad, dilations, groups, bias); }

        /**
         * These options with custom pads ({@link PadType#CUSTOM}).
         *
         * @param p begin and end per spatial axis, not negative
         * @return the new options
         */
        public Conv withPad(long... p) { return new Conv(strides, PadType.CUSTOM, p, dilations, groups, bias); }

        /**
         * These options with the given pad type.
         *
         * @param t how to pad
         * @return the new options
         */
        public Conv withPadType(PadType t) { return new Conv(strides, t, pad, dilations, groups, bias); }

        /**
         * These options with the given dilations.
         *
         * @param d one dilation per spatial axis, positive
         * @return the new options
         */
        public Conv withDilations(long... d) { return new Conv(strides, padType, pad, d, groups, bias); }

        /**
         * These options with the given number of groups.
         *
         * @param g channel groups, dividing the input and output channels
         * @return the new options
         */
        public Conv withGroups(long g) { return new Conv(strides, padType, pad, dilations, g, bias); }

        /**
         * These options with a bias.
         *
         * @param b a value of the weight's dtype {@code [C_out]}, or {@code null} for none
         * @return the new options
         */
        public Conv withBias(Value b) { return new Conv(strides, padType, pad, dilations, groups, b); }
    }

    /**
     * {@code softmax(q · kᵀ / sqrt(E)) · v}, the softmax over S.
     *
     * @param q the queries, fp16 or fp32 {@code [..., L, E]} (rank 2 or more)
     * @param k the keys, of q's dtype {@code [..., S, E]}, the same batch axes
     * @param v the values, of q's dtype {@code [..., S, Ev]}, the same batch axes
     * @return the result, of q's dtype and shape {@code [..., L, Ev]}
     */
    public Value scaledDotProductAttention(Value q, Value k, Value v) { return scaledDotProductAttention(q, k, v, null); }

    /**
     * As {@link #scaledDotProductAttention(Value, Value, Value)} with an additive (float) or keep-where-true
     * (bool) mask broadcastable to {@code [..., L, S]} (the ANE is reported to ignore it).
     *
     * @param q    the queries, fp16 or fp32 {@code [..., L, E]} (rank 2 or more)
     * @param k    the keys, of q's dtype {@code [..., S, E]}, the same batch axes
     * @param v    the values, of q's dtype {@code [..., S, Ev]}, the same batch axes
     * @param mask of q's dtype (added to the scores) or bool, broadcasting to {@code [..., L, S]}; or {@code null}
     * @return the result, of q's dtype and shape {@code [..., L, Ev]}
     */
    public Value scaledDotProductAttention(Value q, Value k, Value v, Value mask) {
        own(q);
        own(k);
        own(v);
        String op = "scaled_dot_product_attention";
        requireFloat(op, "query", q);
        requireSameDtype(op, q, k);
        requireSameDtype(op, q, v);
        long[] qs = q.shape(), ks = k.shape(), vs = v.shape();
        int r = qs.length;
        if (r < 2 || ks.length != r || vs.length != r) throw fail(op, "query, key and value must have one rank >= 2", q, k, v);
        for (int i = 0; i < r - 2; i++) {
            if (ks[i] != qs[i] || vs[i] != qs[i]) throw fail(op, "batch axis " + i + " of query, key and value differs", q, k, v);
        }
        if (ks[r - 1] != qs[r - 1]) throw fail(op, "key has E = " + ks[r - 1] + ", query has " + qs[r - 1], q, k, v);
        if (vs[r - 2] != ks[r - 2]) throw fail(op, "value has S = " + vs[r - 2] + ", key has " + ks[r - 2], q, k, v);
        List<Argument> args = new ArrayList<>();
        if (mask != null) {
            own(mask);
            if (mask.dtype() != ElementType.BOOL) requireSameDtype(op, q, mask);
            long[] scores = qs.clone();
            scores[r - 1] = ks[r - 2];
            long[] joined = broadcast(op, mask.shape(), scores, q, k, v, mask);
            if (!Arrays.equals(joined, scores)) throw fail(op, "attn_mask does not broadcast to " + Arrays.toString(scores), q, k, v, mask);
            args.add(arg("attn_mask", mask));
        }
        args.add(arg("key", k));
        args.add(arg("query", q));
        args.add(arg("value", v));
        long[] out = qs.clone();
        out[r - 1] = vs[r - 1];
        return op(op, MilType.tensor(q.dtype(), out), args);
    }

    // ---- normalisation and reductions ---------------------------------------------------------------

    /**
     * {@code exp(x - max) / sum(exp(x - max))} along {@code axis}.
     *
     * @param x    an fp16 or fp32 value of rank 1 or more
     * @param axis the axis to normalise
     * @return the result, of x's type
     */
    public Value softmax(Value x, int axis) {
        own(x);
        requireFloat("softmax", "x", x);
        if (x.rank() < 1) throw fail("softmax", "x must have rank 1 or more", x);
        axis("softmax", "axis", axis, x.rank(), x);
        return op("softmax", x.type(), arg("axis", int32(axis)), arg("x", x));
    }

    /**
     * Sum over {@code axes} (all axes when none are given); {@code keepDims} keeps them as size 1.
     *
     * @param x        an fp16, fp32 or int32 value of rank 1 or more
     * @param keepDims whether the reduced axes stay, as size 1, or are dropped
     * @param axes     the axes to reduce, distinct (negative counts from the end); none: all
     * @return the result, of x's dtype and x's shape with the reduced axes dropped or 1 (a scalar when every
     *         axis is dropped)
     */
    public Value reduceSum(Value x, boolean keepDims, int... axes) { return reduce("reduce_sum", x, keepDims, axes); }

    /**
     * Mean over {@code axes} (all when none are given).
     *
     * @param x        an fp16, fp32 or int32 value of rank 1 or more
     * @param keepDims whether the reduced axes stay, as size 1, or are dropped
     * @param axes     the axes to reduce, distinct (negative counts from the end); none: all
     * @return the result, of x's dtype and x's shape with the reduced axes dropped or 1 (a scalar when every
     *         axis is dropped)
     */
    public Value reduceMean(Value x, boolean keepDims, int... axes) { return reduce("reduce_mean", x, keepDims, axes); }

    /**
     * Maximum over {@code axes} (all when none are given).
     *
     * @param x        an fp16, fp32 or int32 value of rank 1 or more
     * @param keepDims whether the reduced axes stay, as size 1, or are dropped
     * @param axes     the axes to reduce, distinct (negative counts from the end); none: all
     * @return the result, of x's dtype and x's shape with the reduced axes dropped or 1 (a scalar when every
     *         axis is dropped)
     */
    public Value reduceMax(Value x, boolean keepDims, int... axes) { return reduce("reduce_max", x, keepDims, axes); }

    /**
     * {@code gamma · (x - mean) / sqrt(var + epsilon) + beta} over {@code axes} (all when empty); gamma and
     * beta ({@code null}: 1 and 0) have the shape of the normalised axes, in order.
     *
     * @param x       an fp16 or fp32 value of rank 1 or more
     * @param axes    the axes to normalise over, distinct; empty for all
     * @param gamma   the scale, of x's dtype, or {@code null}
     * @param beta    the offset, of x's dtype, or {@code null}
     * @param epsilon added to the variance; a number x's dtype holds
     * @return the result, of x's type
     */
    public Value layerNorm(Value x, int[] axes, Value gamma, Value beta, double epsilon) {
        own(x);
        String op = "layer_norm";
        requireFloat(op, "x", x);
        long[] xs = x.shape();
        if (xs.length < 1) throw fail(op, "x must have rank 1 or more", x);
        boolean[] mask = axesMask(op, axes, xs.length, x);
        List<Long> normalised = new ArrayList<>();
        for (int i = 0; i < xs.length; i++) if (mask[i]) normalised.add(xs[i]);
        List<Argument> args = new ArrayList<>();
        if (axes.length > 0) args.add(arg("axes", ints(toLongs(axes))));
        String[] keys = {"beta", "gamma"};
        Value[] affines = {beta, gamma};
        for (int i = 0; i < 2; i++) {
            Value affine = affines[i];
            if (affine == null) continue;
            own(affine);
            requireSameDtype(op, x, affine);
            List<Long> shape = Arrays.stream(affine.shape()).boxed().toList();
            if (!shape.equals(normalised)) throw fail(op, keys[i] + " must have the shape " + normalised + " of x's normalised axes", x, affine);
            args.add(arg(keys[i], affine));
        }
        args.add(arg("epsilon", scalarLiteral(x, epsilon)));
        args.add(arg("x", x));
        return op(op, x.type(), args);
    }

    // ---- quantisation ------------------------------------------------------------------------------

    /**
     * {@code clip(round(x / scale) + zeroPoint)} to int8 or uint8: scale a constant of x's dtype, zeroPoint
     * ({@code null}: 0) a constant of the output dtype, each one value or one per index of {@code axis}
     * ({@code null} unless they are vectors).
     *
     * @param x           an fp16 or fp32 value
     * @param scale       of x's dtype: one value, or (with {@code axis}) a vector of {@code x.dim(axis)} values
     * @param zeroPoint   of {@code outputDtype}: one value or (with {@code axis}) a vector as scale; {@code null} for 0
     * @param axis        the axis scale and zero point run along, or {@code null} when each is one value
     * @param outputDtype {@link ElementType#INT8} or {@link ElementType#UINT8}
     * @return the result, of x's shape and {@code outputDtype}
     */
    public Value quantize(Value x, Value scale, Value zeroPoint, Integer axis, ElementType outputDtype) {
        own(x);
        own(scale);
        String op = "quantize";
        requireFloat(op, "input", x);
        if (outputDtype != ElementType.INT8 && outputDtype != ElementType.UINT8) throw fail(op, "output_dtype must be int8 or uint8, got " + outputDtype, x);
        requireSameDtype(op, x, scale);
        List<Argument> args = quantArgs(op, x, scale, zeroPoint, axis, outputDtype);
        args.add(arg("output_dtype", string(outputDtype.milName())));
        return op(op, withDtype(x.type(), outputDtype), args);
    }

    /**
     * {@code (x - zeroPoint) · scale} from int8/uint8: scale an fp16/fp32 constant, zeroPoint ({@code null}: 0)
     * a constant of x's dtype, each one value or one per index of {@code axis}.
     *
     * @param x         an int8 or uint8 value
     * @param scale     fp16 or fp32: one value, or (with {@code axis}) a vector of {@code x.dim(axis)} values
     * @param zeroPoint of x's dtype: one value or (with {@code axis}) a vector as scale; {@code null} for 0
     * @param axis      the axis scale and zero point run along, or {@code null} when each is one value
     * @return the result, of x's shape and scale's dtype
     */
    public Value dequantize(Value x, Value scale, Value zeroPoint, Integer axis) {
        own(x);
        own(scale);
        String op = "dequantize";
        if (x.dtype() != ElementType.INT8 && x.dtype() != ElementType.UINT8) throw fail(op, "input must be int8 or uint8", x);
        requireFloat(op, "scale", scale);
        List<Argument> args = quantArgs(op, x, scale, zeroPoint, axis, x.dtype());
        return op(op, withDtype(x.type(), scale.dtype()), args);
    }

    /**
     * A constant weight stored as int8 and expanded at compile time: {@code (data - zeroPoint) · scale}, with
     * one scale (and zero point) for the whole tensor or one per index of {@code axis}.
     *
     * @param shape       the weight's dimensions, each positive
     * @param data        the int8 values, one per element, row-major
     * @param axis        the axis scale and zero point run along when they hold more than one value
     * @param outputDtype fp16 or fp32: the dtype of scale and of the result
     * @param scale       1 or {@code shape[axis]} values, each one {@code outputDtype} holds
     * @param zeroPoint   1 or {@code shape[axis]} int8 values
     * @return the weight, of {@code outputDtype} and {@code shape}
     * @throws IllegalArgumentException when the data count differs from the element count, the axis is out of
     *                                  range, or a dtype, scale or zero point count is not one of the above
     */
    public Value constexprAffineDequantize(long[] shape, byte[] data, int axis, DType outputDtype, double[] scale, byte[] zeroPoint) {
        checkOpen();
        String op = "constexpr_affine_dequantize";
        MilType.Tensor qType = MilType.tensor(ElementType.INT8, shape);
        if (qType.elementCount() != data.length) throw new IllegalArgumentException(op + ": " + qType.text() + " needs " + qType.elementCount() + " bytes, got " + data.length);
        if (outputDtype != DType.FP16 && outputDtype != DType.FP32) throw new IllegalArgumentException(op + ": output dtype must be fp16 or fp32, got " + outputDtype);
        int a = axis < 0 ? axis + shape.length : axis;
        if (a < 0 || a >= shape.length) throw new IllegalArgumentException(op + ": axis " + axis + " is out of range for rank " + shape.length);
        for (int n : new int[] {scale.length, zeroPoint.length}) {
            if (n != 1 && n != shape[a]) throw new IllegalArgumentException(op + ": scale and zero point need 1 or " + shape[a] + " values, got " + n);
        }
        double[] q = new double[data.length];
        for (int i = 0; i < q.length; i++) q[i] = data[i];
        double[] zp = new double[zeroPoint.length];
        for (int i = 0; i < zp.length; i++) zp[i] = zeroPoint[i];
        ElementType et = ElementType.of(outputDtype);
        checkValues(op, et, scale);
        Literal quantized = data.length > INLINE_LIMIT ? blobLiteral(qType, q, "q") : new Literal.Numbers(qType, q);
        List<Attribute> attrs = List.of(new Attribute("axis", Literal.int32(axis)), new Attribute("quantized_data", quantized),
                new Attribute("scale", vectorOrScalar(et, scale)), new Attribute("zero_point", vectorOrScalar(ElementType.INT8, zp)));
        return emit(op, op, MilType.tensor(et, shape), List.of(), attrs);
    }

    // ---- the program --------------------------------------------------------------------------------

    /**
     * Sets the returned values, in order: one output surface each. A later call replaces them.
     *
     * @param values at least one value of this builder
     * @return this builder
     * @throws IllegalArgumentException when none is given or one is of a type no surface holds
     */
    public MilBuilder returns(Value... values) {
        checkOpen();
        if (values.length == 0) throw new IllegalArgumentException("a program returns at least one value");
        for (Value v : values) {
            own(v);
            try {
                MilProgram.surfaceSpec(v.name(), v.type());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("returned value " + v + " " + e.getMessage());
            }
        }
        outputs = List.of(values);
        return this;
    }

    /**
     * The program: program(1.3) with the upstream buildInfo, one function {@code <ios18>}, parameters
     * activations first then weights, and the weight files of its large constants.
     *
     * @return the program; this builder accepts nothing more
     * @throws IllegalStateException when {@link #returns} was not called or the program was built already
     */
    public MilProgram build() {
        checkOpen();
        if (outputs == null) throw new IllegalStateException("call returns(...) before build()");
        built = true;
        List<Parameter> params = new ArrayList<>();
        for (Group g : groups) {
            params.add(new Parameter(g.name, MilType.tensor(g.dtype, 1, g.channels, 1, g.width), Parameter.Role.ACTIVATION));
        }
        params.addAll(activations);
        params.addAll(weights);
        MilFunction f = new MilFunction(functionName, "ios18", params, null, statements,
                outputs.stream().map(Value::name).toList());
        return MilProgram.of("1.3", List.of(BUILD_INFO), List.of(f), weightFiles, regions);
    }

    // ---- internals ----------------------------------------------------------------------------------

    private Value parameter(String name, DType dtype, long[] shape, Parameter.Role role, List<Parameter> into) {
        checkOpen();
        checkFresh(name);
        Objects.requireNonNull(dtype, "dtype");
        MilType.Tensor type = MilType.tensor(ElementType.of(dtype), shape);
        MilProgram.surfaceSpec(name, type);
        long[] s = type.shape();
        boolean block = s.length == 4 && s[0] == 1 && s[2] == 1;
        if (layout == WeightLayout.PACKED && (block || role == Parameter.Role.WEIGHT)) return packedRegion(name, type, role);
        names.add(name);
        into.add(new Parameter(name, type, role));
        return new Value(this, name, type);
    }

    /** A value cut out of a packed input: [1, C, 1, W] blocks as they are, [1, R, K] matrices reshaped from a
     *  block of R channels, or transposed from a block of K channels. */
    private Value packedRegion(String name, MilType.Tensor type, Parameter.Role role) {
        long[] s = type.shape();
        boolean block = s.length == 4 && s[0] == 1 && s[2] == 1;
        boolean matrix = s.length == 3 && s[0] == 1 && role == Parameter.Role.WEIGHT;
        if (!block && !matrix) {
            throw new IllegalArgumentException("the packed layout holds [1, C, 1, W] tensors and [1, R, K] weight matrices, not "
                    + name + ": " + type.text());
        }
        long rows = s[1], cols = block ? s[3] : s[2];
        Group group = groupWith(rows, type.dtype(), false);
        boolean transposed = false;
        if (group == null && matrix) {
            group = groupWith(cols, type.dtype(), false);
            transposed = group != null;
        }
        if (group == null) group = groupWith(rows, type.dtype(), true);
        long width = transposed ? rows : cols, channels = transposed ? cols : rows;
        regions.add(new PackedRegion(name, role, groups.indexOf(group), group.width, rows, cols, transposed));
        Literal begin = ints(new long[] {0, 0, 0, group.width}), size = ints(new long[] {1, channels, 1, width});
        group.width += width;
        MilType.Tensor sliceType = MilType.tensor(type.dtype(), 1, channels, 1, width);
        List<Argument> args = List.of(arg("begin", begin), arg("size", size), Argument.of("x", group.name));
        if (block) {
            names.add(name);
            statements.add(new Statement(List.of(new Statement.Result(name, type)), "slice_by_size", args,
                    List.of(new Attribute("name", Literal.string(name)))));
            return new Value(this, name, type);
        }
        Value slice = emit("slice_by_size", name + "_block", sliceType, args, List.of());
        if (!transposed) return name(name, reshape(slice, s));
        return name(name, transpose(reshape(slice, 1, cols, rows), 0, 2, 1));
    }

    /** The packed input holding {@code channels} channels of {@code dtype}, made when {@code create}. */
    private Group groupWith(long channels, ElementType dtype, boolean create) {
        for (Group g : groups) if (g.channels == channels && g.dtype == dtype) return g;
        if (!create) return null;
        Group g = new Group(fresh(groups.isEmpty() ? "packed" : "packed_" + channels), channels, dtype);
        names.add(g.name);
        groups.add(g);
        return g;
    }

    private Value binary(String op, Value x, Value y) {
        own(x);
        own(y);
        for (Value v : new Value[] {x, y}) {
            if (!v.dtype().isNumeric()) throw fail(op, "operands must be numeric", x, y);
        }
        requireSameDtype(op, x, y);
        return op(op, resultType(x.dtype(), broadcast(op, x.shape(), y.shape(), x, y)), arg("x", x), arg("y", y));
    }

    private Value unary(String op, Value x) {
        requireFloat(op, "x", x);
        return op(op, x.type(), arg("x", x));
    }

    private Value reduce(String op, Value x, boolean keepDims, int[] axes) {
        own(x);
        if (!x.dtype().isFloat() && x.dtype() != ElementType.INT32) throw fail(op, "x must be fp16, fp32 or int32", x);
        long[] xs = x.shape();
        if (xs.length < 1) throw fail(op, "x must have rank 1 or more", x);
        boolean[] mask = axesMask(op, axes, xs.length, x);
        List<Long> out = new ArrayList<>();
        for (int i = 0; i < xs.length; i++) {
            if (!mask[i]) out.add(xs[i]);
            else if (keepDims) out.add(1L);
        }
        List<Argument> args = new ArrayList<>();
        if (axes.length > 0) args.add(arg("axes", ints(toLongs(axes))));
        args.add(arg("keep_dims", bool(keepDims)));
        args.add(arg("x", x));
        return op(op, resultType(x.dtype(), out.stream().mapToLong(Long::longValue).toArray()), args);
    }

    private List<Value> splitInto(Value x, int axis, long[] sizes, Argument... args) {
        String base = fresh("split");
        List<Statement.Result> results = new ArrayList<>();
        List<Value> values = new ArrayList<>();
        for (long size : sizes) {
            long[] shape = x.shape();
            shape[axis] = size;
            String name = fresh(base + "_" + values.size());
            MilType type = MilType.tensor(x.dtype(), shape);
            names.add(name);
            results.add(new Statement.Result(name, type));
            values.add(new Value(this, name, type));
        }
        statements.add(new Statement(results, "split", List.of(args), List.of(new Attribute("name", Literal.string(base)))));
        return List.copyOf(values);
    }

    /** The bias argument of linear and conv (a {@code [outChannels]} tensor of the weight's dtype), or none. */
    private List<Argument> biasArgument(String op, Value bias, long outChannels, Value x, Value weight) {
        List<Argument> args = new ArrayList<>();
        if (bias == null) return args;
        own(bias);
        requireSameDtype(op, weight, bias);
        if (bias.rank() != 1 || bias.shape()[0] != outChannels) throw fail(op, "bias must be [" + outChannels + "]", x, weight, bias);
        args.add(arg("bias", bias));
        return args;
    }

    private List<Argument> quantArgs(String op, Value x, Value scale, Value zeroPoint, Integer axis, ElementType zpDtype) {
        List<Argument> args = new ArrayList<>();
        boolean vector = scale.rank() > 0 && count(scale.shape()) > 1;
        if (zeroPoint != null) {
            own(zeroPoint);
            if (zeroPoint.dtype() != zpDtype) throw fail(op, "zero_point must be " + zpDtype, x, zeroPoint);
            vector |= zeroPoint.rank() > 0 && count(zeroPoint.shape()) > 1;
        }
        if (axis != null) {
            int a = axis(op, "axis", axis, x.rank(), x);
            for (Value p : zeroPoint == null ? new Value[] {scale} : new Value[] {scale, zeroPoint}) {
                long n = count(p.shape());
                if (p.rank() > 1 || (n != 1 && n != x.shape()[a])) throw fail(op, "scale and zero_point need 1 or " + x.shape()[a] + " values", x, p);
            }
            args.add(arg("axis", int32(axis)));
        } else if (vector) {
            throw fail(op, "a per-axis scale or zero_point needs axis", x, scale);
        }
        args.add(arg("input", x));
        args.add(arg("scale", scale));
        if (zeroPoint != null) args.add(arg("zero_point", zeroPoint));
        return args;
    }

    /** Adds {@code op} with its arguments and one result of {@code type}; returns the result. */
    private Value op(String op, MilType type, Argument... args) { return op(op, type, List.of(args)); }

    private Value op(String op, MilType type, List<Argument> args) { return emit(op, op, type, args, List.of()); }

    private Value emit(String op, String base, MilType type, List<Argument> args, List<Attribute> extra) {
        checkOpen();
        String name = fresh(base);
        names.add(name);
        List<Attribute> attrs = new ArrayList<>();
        attrs.add(new Attribute("name", Literal.string(name)));
        attrs.addAll(extra);
        statements.add(new Statement(List.of(new Statement.Result(name, type)), op, args, attrs));
        return new Value(this, name, type);
    }

    private Value blobConstant(MilType.Tensor type, double[] values) {
        return constant(blobLiteral(type, values, "w"));
    }

    /** Writes {@code values} to a new weight file and returns the BLOBFILE literal reading them. */
    private Literal blobLiteral(MilType.Tensor type, double[] values, String base) {
        String name = fresh(base);
        String path = "@model_path/weights/" + name + ".bin";
        for (int i = 2; weightFiles.containsKey(path); i++) path = "@model_path/weights/" + name + "_" + i + ".bin";
        WeightBlob blob = new WeightBlob();
        long offset = switch (type.dtype()) {
            case FP16 -> blob.addFp16(toFloats(values));
            case FP32 -> blob.addFp32(toFloats(values));
            case INT8, UINT8 -> {
                byte[] bytes = new byte[values.length];
                for (int i = 0; i < bytes.length; i++) bytes[i] = (byte) values[i];
                yield type.dtype() == ElementType.INT8 ? blob.addInt8(bytes) : blob.addUint8(bytes);
            }
            default -> throw new IllegalArgumentException("no weight-file storage for " + type.text());
        };
        weightFiles.put(path, blob.toBytes());
        return new Literal.BlobFile(type, path, offset);
    }

    /** A constant scalar of x's dtype (shared when equal), for the arithmetic overloads taking a number. */
    private Value scalarLike(Value x, double c) {
        Literal literal = scalarLiteral(x, c);
        Value v = constants.get(literal);
        return v != null ? v : constant(literal);
    }

    private Literal scalarLiteral(Value x, double c) {
        own(x);
        if (!x.dtype().isNumeric()) throw fail("scalar", "no number of dtype " + x.dtype(), x);
        checkValues("scalar", x.dtype(), new double[] {c});
        return new Literal.Numbers(MilType.scalar(x.dtype()), new double[] {c});
    }

    private static Literal ints(long[] values) {
        double[] d = new double[values.length];
        for (int i = 0; i < d.length; i++) d[i] = values[i];
        return new Literal.Numbers(MilType.tensor(ElementType.INT32, values.length), d);
    }

    private static Literal bools(boolean[] values) {
        double[] d = new double[values.length];
        for (int i = 0; i < d.length; i++) d[i] = values[i] ? 1 : 0;
        return new Literal.Numbers(MilType.tensor(ElementType.BOOL, values.length), d);
    }

    private static Literal int32(long value) { return Literal.int32(value); }

    private static Literal bool(boolean value) { return Literal.bool(value); }

    private static Literal string(String value) { return Literal.string(value); }

    /** {@code key = <const>}: an equal constant made earlier, else a new const named after the key. */
    private Argument arg(String key, Literal literal) {
        Value c = constants.get(literal);
        if (c == null) {
            c = emit("const", key, literal.type(), List.of(), List.of(new Attribute("val", literal)));
            constants.put(literal, c);
        }
        return Argument.of(key, c.name());
    }

    private static Literal vectorOrScalar(ElementType et, double[] values) {
        return values.length == 1 ? new Literal.Numbers(MilType.scalar(et), values)
                : new Literal.Numbers(MilType.tensor(et, values.length), values);
    }

    private static Argument arg(String key, Value v) { return Argument.of(key, v.name()); }

    /** A rank-0 result is declared as a scalar; others as tensors. */
    private static MilType resultType(ElementType dtype, long[] shape) {
        return shape.length == 0 ? MilType.scalar(dtype) : MilType.tensor(dtype, shape);
    }

    private static MilType withDtype(MilType t, ElementType dtype) { return resultType(dtype, MilType.shape(t)); }

    /** NumPy broadcasting of two shapes. */
    private static long[] broadcast(String op, long[] a, long[] b, Value... operands) {
        int r = Math.max(a.length, b.length);
        long[] out = new long[r];
        for (int i = 0; i < r; i++) {
            long da = i < r - a.length ? 1 : a[i - (r - a.length)];
            long db = i < r - b.length ? 1 : b[i - (r - b.length)];
            if (da != db && da != 1 && db != 1) {
                throw fail(op, "shapes " + Arrays.toString(a) + " and " + Arrays.toString(b) + " do not broadcast", operands);
            }
            out[i] = Math.max(da, db) == 1 ? 1 : (da == 1 ? db : da);
        }
        return out;
    }

    private static boolean[] axesMask(String op, int[] axes, int rank, Value x) {
        boolean[] mask = new boolean[rank];
        if (axes.length == 0) Arrays.fill(mask, true);
        for (int a : axes) {
            int i = axis(op, "axes", a, rank, x);
            if (mask[i]) throw fail(op, "axis " + a + " is listed twice in " + Arrays.toString(axes), x);
            mask[i] = true;
        }
        return mask;
    }

    private static int axis(String op, String key, long a, int rank, Value... operands) {
        if (a < -rank || a >= rank) throw fail(op, key + " " + a + " is out of range for rank " + rank, operands);
        return (int) (a < 0 ? a + rank : a);
    }

    /** Elements taken by x[begin:end:stride] on an axis of size d (NumPy clamping). */
    private static long sliceLength(long d, long begin, long end, long stride, boolean beginMask, boolean endMask) {
        if (stride > 0) {
            long b = beginMask ? 0 : begin < 0 ? Math.max(begin + d, 0) : Math.min(begin, d);
            long e = endMask ? d : end < 0 ? Math.max(end + d, 0) : Math.min(end, d);
            return e > b ? (e - b - 1) / stride + 1 : 0;
        }
        long b = beginMask ? d - 1 : begin < 0 ? (begin + d < 0 ? -1 : begin + d) : Math.min(begin, d - 1);
        long e = endMask ? -1 : end < 0 ? (end + d < 0 ? -1 : end + d) : Math.min(end, d - 1);
        return b > e ? (b - e - 1) / -stride + 1 : 0;
    }

    private static void requireLength(String op, String key, long[] v, int rank, Value x) {
        if (v.length != rank) throw fail(op, key + " " + Arrays.toString(v) + " needs one entry per axis of x (" + rank + ")", x);
    }

    private void requireFloat(String op, String key, Value v) {
        own(v);
        if (!v.dtype().isFloat()) throw fail(op, key + " must be fp16 or fp32", v);
    }

    private static void requireSameDtype(String op, Value a, Value b) {
        if (a.dtype() != b.dtype()) throw fail(op, "operands must have the same dtype (no implicit promotion)", a, b);
    }

    /** Values must be finite, in the dtype's range, and integral for integer dtypes. */
    private static void checkValues(String what, ElementType dt, double[] values) {
        for (double v : values) {
            boolean ok = switch (dt) {
                case FP16 -> Math.abs(v) < 65520.0;
                case FP32 -> !Float.isInfinite((float) v) && !Double.isNaN(v);
                case INT32 -> v == Math.rint(v) && v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE;
                case INT16 -> v == Math.rint(v) && v >= Short.MIN_VALUE && v <= Short.MAX_VALUE;
                case UINT16 -> v == Math.rint(v) && v >= 0 && v <= 65535;
                case INT8 -> v == Math.rint(v) && v >= -128 && v <= 127;
                case UINT8 -> v == Math.rint(v) && v >= 0 && v <= 255;
                case UINT4 -> v == Math.rint(v) && v >= 0 && v <= 15;
                case BOOL -> v == 0 || v == 1;
                default -> false;
            };
            if (!ok) throw new IllegalArgumentException(what + ": " + v + " is not a value of " + dt);
        }
    }

    private void own(Value v) {
        Objects.requireNonNull(v, "value");
        if (v.owner() != this) throw new IllegalArgumentException(v + " belongs to another MilBuilder");
        if (renamed.contains(v)) throw new IllegalArgumentException(v + " was renamed: use the value name(...) returned");
    }

    /** Index of the statement defining {@code name}, or -1 for a parameter. */
    private int definition(String name) {
        for (int i = statements.size() - 1; i >= 0; i--) {
            for (Statement.Result r : statements.get(i).results()) if (r.name().equals(name)) return i;
        }
        return -1;
    }

    /** {@code s} with every reference to {@code old} made to {@code name}. */
    private static Statement renameUses(Statement s, String old, String name) {
        List<Argument> args = new ArrayList<>();
        for (Argument a : s.arguments()) {
            Operand o = switch (a.value()) {
                case Operand.Name n -> n.name().equals(old) ? new Operand.Name(name) : n;
                case Operand.Tuple t -> new Operand.Tuple(t.names().stream().map(n -> n.equals(old) ? name : n).toList());
                case Operand.Inline i -> i;
            };
            args.add(new Argument(a.key(), o));
        }
        return new Statement(s.results(), s.op(), args, s.attributes());
    }

    private void checkOpen() {
        if (built) throw new IllegalStateException("this MilBuilder has built its program already");
    }

    private void checkFresh(String name) {
        checkName(name);
        if (names.contains(name)) throw new IllegalArgumentException("the name '" + name + "' is taken");
    }

    private static String checkName(String name) {
        if (!name.matches("[A-Za-z_][A-Za-z0-9_]*") || name.equals("true") || name.equals("false")) {
            throw new IllegalArgumentException("'" + name + "' is not a MIL name (a letter or _, then letters, digits, _; not true/false)");
        }
        return name;
    }

    /** {@code base}, or {@code base_N} for the first free N. */
    private String fresh(String base) {
        if (!names.contains(base)) return base;
        for (int i = 1; ; i++) {
            String n = base + "_" + i;
            if (!names.contains(n)) return n;
        }
    }

    private static IllegalArgumentException fail(String op, String why, Value... operands) {
        String list = Arrays.stream(operands).filter(Objects::nonNull).map(Value::toString).collect(Collectors.joining(", "));
        return new IllegalArgumentException(op + ": " + why + " (operands " + list + ")");
    }

    private static long count(long[] shape) {
        long n = 1;
        for (long d : shape) n = Math.multiplyExact(n, d);
        return n;
    }

    private static long[] filled(int n, long v) {
        long[] a = new long[n];
        Arrays.fill(a, v);
        return a;
    }

    private static long[] toLongs(int[] v) { return Arrays.stream(v).asLongStream().toArray(); }

    private static float[] toFloats(double[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < f.length; i++) f[i] = (float) v[i];
        return f;
    }
}
