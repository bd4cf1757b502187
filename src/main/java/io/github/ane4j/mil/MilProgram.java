package io.github.ane4j.mil;

import io.github.ane4j.DType;
import io.github.ane4j.MilCompileException;
import io.github.ane4j.WeightBlob;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A MIL program: its model (version, program attributes, functions of typed parameters, statements and
 * returned names), the MIL text a backend compiles, and the weight files its BLOBFILE constants read, when
 * it brings them. Immutable and thread-safe.
 *
 * <p>Three ways to get one: {@link #parse} reads MIL text (its {@link #text()} is the text as given, so
 * compile errors point into it); {@link MilBuilder} builds one with shapes checked as each op is added;
 * {@link #of} makes one from a model. The last two print their text in the upstream style
 * ({@code program(1.3)}, spaced punctuation, one statement per line).
 *
 * <p>The function the bridge compiles is {@link #main()}: the one named {@code main}, else the first. Its
 * parameters become the kernel's input surfaces in order: activations first, then dynamic weights
 * ({@link Parameter.Role}); its returned values become the output surfaces. Programs equal by
 * {@link #equals} have the same model and weight files, whatever the spelling of their text.
 */
public final class MilProgram {
    /** The largest tensor rank the MIL parser accepts. */
    static final int MAX_RANK = 8;

    private final String text;
    private final String version;
    private final List<Attribute> attributes;
    private final List<MilFunction> functions;
    private final Map<Statement, Integer> lines;
    private final Map<String, byte[]> weightFiles;
    private final List<PackedRegion> packedRegions;
    private final List<TensorSpec> parameters;
    private final List<TensorSpec> outputs;
    private final List<String> blobFiles;
    private final int weightCount;

    /** A program of the given parts; {@code lines} maps each statement (by identity) to its line in {@code text}. */
    MilProgram(String text, String version, List<Attribute> attributes, List<MilFunction> functions,
               Map<Statement, Integer> lines, Map<String, byte[]> weightFiles, List<PackedRegion> packedRegions) {
        this.text = Objects.requireNonNull(text, "text");
        this.version = Objects.requireNonNull(version, "version");
        this.attributes = List.copyOf(attributes);
        this.functions = List.copyOf(functions);
        if (this.functions.isEmpty()) throw new IllegalArgumentException("a program needs at least one function");
        this.lines = lines;
        this.weightFiles = Collections.unmodifiableMap(new LinkedHashMap<>(weightFiles));
        this.packedRegions = List.copyOf(packedRegions);
        MilFunction main = mainOf(this.functions);
        List<TensorSpec> params = new ArrayList<>();
        int weights = 0;
        for (Parameter p : main.parameters()) {
            params.add(surfaceSpec(p.name(), p.type()));
            if (p.role() == Parameter.Role.WEIGHT) {
                weights++;
            } else if (weights > 0) {
                throw new IllegalArgumentException("activation parameter '" + p.name() + "' follows a weight parameter of "
                        + main.name() + ": weights must come last, in the order the bridge binds surfaces");
            }
        }
        List<TensorSpec> outs = new ArrayList<>();
        for (String out : main.outputs()) {
            MilType type = main.typeOf(out).orElseThrow(
                    () -> new IllegalArgumentException("returned value '" + out + "' is not defined in function " + main.name()));
            outs.add(surfaceSpec(out, type));
        }
        this.parameters = List.copyOf(params);
        this.outputs = List.copyOf(outs);
        this.weightCount = weights;
        this.blobFiles = List.copyOf(blobPaths(this.functions));
    }

    /**
     * Parses MIL text into a program whose parameters are all activations (see {@link #withWeights}).
     *
     * @param text the MIL text, {@code program(…) { … }}
     * @return the program; its {@link #text()} is {@code text} as given
     * @throws MilCompileException for malformed text, with the 1-based line and column of the cause: bad
     *                             syntax, a literal that does not fit its declared type, a name used before
     *                             it is defined or defined twice, or a parameter or returned value of a type
     *                             no surface can hold (e.g. bool, string, or more than 2^63 - 1 bytes)
     */
    public static MilProgram parse(String text) {
        return MilParser.parse(Objects.requireNonNull(text, "text"));
    }

    /**
     * A program of the given model, its text printed in the upstream style. Statements are not type
     * checked here (the compiler does that); names are.
     *
     * @param version    the program version, e.g. {@code "1.3"}
     * @param attributes program attributes, e.g. {@code buildInfo}; may be empty
     * @param functions  at least one function
     * @return the program, without weight files
     * @throws IllegalArgumentException when a name is used before it is defined or defined twice in a
     *                                  function, a returned value is undefined, main's parameter or output
     *                                  types do not fit surfaces, or an activation parameter follows a weight
     */
    public static MilProgram of(String version, List<Attribute> attributes, List<MilFunction> functions) {
        return of(version, attributes, functions, Map.of(), List.of());
    }

    static MilProgram of(String version, List<Attribute> attributes, List<MilFunction> functions,
                         Map<String, byte[]> weightFiles, List<PackedRegion> packedRegions) {
        for (MilFunction f : functions) checkNames(f);
        MilPrinter.Printed printed = MilPrinter.print(version, attributes, functions);
        return new MilProgram(printed.text(), version, attributes, functions, printed.lines(), weightFiles, packedRegions);
    }

    /**
     * The MIL text a backend compiles.
     *
     * @return the text as given to {@link #parse}, else printed from the model
     */
    public String text() { return text; }

    /**
     * The program version as written.
     *
     * @return e.g. {@code "1.3"}
     */
    public String version() { return version; }

    /**
     * The program attributes.
     *
     * @return the attributes in written order (e.g. {@code buildInfo}); empty when there are none
     */
    public List<Attribute> attributes() { return attributes; }

    /**
     * Every function.
     *
     * @return the functions in written order; at least one
     */
    public List<MilFunction> functions() { return functions; }

    /**
     * The function the bridge compiles.
     *
     * @return the function named {@code main}, else the first
     */
    public MilFunction main() { return mainOf(functions); }

    /**
     * {@link #main()}'s parameters as surfaces.
     *
     * @return one spec per input surface, in declaration order: activations, then weights
     */
    public List<TensorSpec> parameters() { return parameters; }

    /**
     * {@link #main()}'s returned values as surfaces.
     *
     * @return one spec per output surface, in return order, each with its declared type
     */
    public List<TensorSpec> outputs() { return outputs; }

    /**
     * Number of trailing parameters of {@link #main()} that are dynamic weights.
     *
     * @return the weight count, 0 when every parameter is an activation
     */
    public int weightCount() { return weightCount; }

    /**
     * The weight files a compile needs.
     *
     * @return the distinct BLOBFILE paths as written (e.g. {@code @model_path/weights/wq.bin}), in order of
     *         first appearance
     */
    public List<String> blobFiles() { return blobFiles; }

    /**
     * The weight files this program brings for its BLOBFILE constants (those a {@link MilBuilder} made).
     *
     * @return the files' bytes by path, as fresh read-only views; empty for parsed programs
     */
    public Map<String, ByteBuffer> weightFiles() {
        Map<String, ByteBuffer> views = new LinkedHashMap<>();
        weightFiles.forEach((path, bytes) -> views.put(path, ByteBuffer.wrap(bytes).asReadOnlyBuffer()));
        return Collections.unmodifiableMap(views);
    }

    /**
     * Where the inputs and weights of a program built with {@link MilBuilder.WeightLayout#PACKED} live in its
     * packed inputs.
     *
     * @return one region per logical input or weight, in declaration order; empty for other programs
     */
    public List<PackedRegion> packedRegions() { return packedRegions; }

    /**
     * Where a statement is in {@link #text()}.
     *
     * @param statement one of this program's statements (compared by identity)
     * @return its 1-based line, or 0 when it is not one of this program's statements
     */
    public int lineOf(Statement statement) {
        Integer line = lines.get(statement);
        return line == null ? 0 : line;
    }

    /**
     * This program with its last {@code count} main parameters marked as dynamic weights and the others as
     * activations; same text and weight files.
     *
     * @param count how many trailing parameters of {@link #main()} are weights
     * @return the marked program ({@code this} when it is already marked so)
     * @throws IllegalArgumentException unless 0 &lt;= count &lt;= the number of parameters
     */
    public MilProgram withWeights(int count) {
        MilFunction main = main();
        int n = main.parameters().size();
        if (count < 0 || count > n) {
            throw new IllegalArgumentException("weight count must be between 0 and the program's " + n + " parameters, got " + count);
        }
        if (count == weightCount) return this;
        List<Parameter> params = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Parameter p = main.parameters().get(i);
            params.add(new Parameter(p.name(), p.type(), i >= n - count ? Parameter.Role.WEIGHT : Parameter.Role.ACTIVATION));
        }
        MilFunction marked = new MilFunction(main.name(), main.opset(), params, main.attributes(), main.statements(), main.outputs());
        List<MilFunction> fs = new ArrayList<>(functions);
        fs.set(fs.indexOf(main), marked);
        return new MilProgram(text, version, attributes, fs, lines, weightFiles, packedRegions);
    }

    /**
     * This program with the weight parameters of {@link #main()} replaced by constants holding
     * {@code values}: each becomes a {@code const} of the same name and type, stored in a weight file the new
     * program carries ({@code @model_path/weights/<name>.bin}, fp16 rounded to nearest even). The program the
     * static pipelines compile, and compile again whenever the weights change.
     *
     * @param values every weight's values by parameter name, row-major in its declared shape
     * @return a program without weight parameters, its text printed anew, carrying this program's weight files
     *         and one more per baked weight
     * @throws IllegalArgumentException when a weight has no values, the wrong number of them, or is not fp16 or
     *                                  fp32, or a name in {@code values} is not a weight of this program
     */
    public MilProgram bakeWeights(Map<String, float[]> values) {
        MilFunction main = main();
        List<Parameter> params = new ArrayList<>();
        List<Statement> body = new ArrayList<>();
        Map<String, byte[]> files = new LinkedHashMap<>(weightFiles);
        Set<String> unused = new LinkedHashSet<>(values.keySet());
        for (Parameter p : main.parameters()) {
            if (p.role() != Parameter.Role.WEIGHT) {
                params.add(p);
                continue;
            }
            float[] v = values.get(p.name());
            unused.remove(p.name());
            MilType.Tensor type = (MilType.Tensor) p.type();
            if (v == null || v.length != type.elementCount()) {
                throw new IllegalArgumentException("weight " + p.name() + " " + type.text() + " needs " + type.elementCount()
                        + " values, got " + (v == null ? "none" : v.length));
            }
            WeightBlob blob = new WeightBlob();
            long offset = switch (type.dtype()) {
                case FP16 -> blob.addFp16(v);
                case FP32 -> blob.addFp32(v);
                default -> throw new IllegalArgumentException("weight " + p.name() + " is " + type.dtype() + ", not fp16 or fp32");
            };
            String path = "@model_path/weights/" + p.name() + ".bin";
            files.put(path, blob.toBytes());
            body.add(new Statement(List.of(new Statement.Result(p.name(), type)), "const", List.of(), List.of(
                    new Attribute("name", Literal.string(p.name())), new Attribute("val", new Literal.BlobFile(type, path, offset)))));
        }
        if (!unused.isEmpty()) throw new IllegalArgumentException(unused + " are not weight parameters of " + main.name());
        body.addAll(main.statements());
        MilFunction baked = new MilFunction(main.name(), main.opset(), params, main.attributes(), body, main.outputs());
        List<MilFunction> fs = new ArrayList<>(functions);
        fs.set(fs.indexOf(main), baked);
        return of(version, attributes, fs, files, List.of());
    }

    /**
     * Checks this program against what is known to fail or mislead on the Apple Neural Engine (unsupported
     * ops, rank above 5, surface sizes, fp32 compute, SDPA masks, size limits …). The reference backend runs
     * all of it; the ANE's compiler often fails without a word, or compiles and computes something else.
     *
     * @return the findings, in statement order; empty when nothing is known to go wrong
     */
    public List<AneFinding> validateForAne() { return AneValidator.validate(this); }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof MilProgram p)) return false;
        if (!version.equals(p.version) || !attributes.equals(p.attributes) || !functions.equals(p.functions)) return false;
        if (!weightFiles.keySet().equals(p.weightFiles.keySet())) return false;
        for (Map.Entry<String, byte[]> e : weightFiles.entrySet()) {
            if (!Arrays.equals(e.getValue(), p.weightFiles.get(e.getKey()))) return false;
        }
        return true;
    }

    @Override
    public int hashCode() { return Objects.hash(version, attributes, functions, weightFiles.keySet()); }

    @Override
    public String toString() {
        return "MilProgram" + parameters + " -> " + outputs + (blobFiles.isEmpty() ? "" : " weights " + blobFiles);
    }

    static MilFunction mainOf(List<MilFunction> functions) {
        for (MilFunction f : functions) if (f.name().equals("main")) return f;
        return functions.get(0);
    }

    /**
     * The surface of a parameter or returned value {@code name} of {@code type}.
     *
     * @throws IllegalArgumentException (the message continues "parameter 'x' …") when no surface holds the type
     */
    static TensorSpec surfaceSpec(String name, MilType type) {
        ElementType et = type instanceof MilType.Dict ? null : MilType.elementType(type);
        DType dtype = et == null ? null : et.surfaceType();
        if (dtype == null) {
            throw new IllegalArgumentException((et == null ? "is a dict" : "has element type " + et)
                    + ", which no surface can hold (surface dtypes: fp16, fp32, uint8, int8, int32)");
        }
        try {
            return new TensorSpec(name, dtype, MilType.shape(type));
        } catch (IllegalArgumentException tooLarge) {
            throw new IllegalArgumentException("is too large for a surface: " + tooLarge.getMessage());
        }
    }

    private static Set<String> blobPaths(List<MilFunction> functions) {
        Set<String> paths = new LinkedHashSet<>();
        for (MilFunction f : functions) {
            for (Statement s : f.statements()) {
                for (Attribute a : s.attributes()) if (a.value() instanceof Literal.BlobFile b) paths.add(b.path());
                for (Argument a : s.arguments()) {
                    if (a.value() instanceof Operand.Inline i && i.literal() instanceof Literal.BlobFile b) paths.add(b.path());
                }
            }
        }
        return paths;
    }

    /** Names defined once and before use, as the parser requires of text. */
    private static void checkNames(MilFunction f) {
        Set<String> defined = new LinkedHashSet<>();
        for (Parameter p : f.parameters()) define(defined, p.name(), f);
        for (Statement s : f.statements()) {
            for (Argument a : s.arguments()) {
                List<String> used = switch (a.value()) {
                    case Operand.Name n -> List.of(n.name());
                    case Operand.Tuple t -> t.names();
                    case Operand.Inline i -> List.of();
                };
                for (String name : used) {
                    if (!defined.contains(name)) {
                        throw new IllegalArgumentException("'" + name + "' is used by " + s.op() + " '" + s.name()
                                + "' before it is defined in function " + f.name());
                    }
                }
            }
            for (Statement.Result r : s.results()) define(defined, r.name(), f);
        }
        for (String out : f.outputs()) {
            if (!defined.contains(out)) throw new IllegalArgumentException("returned value '" + out + "' is not defined in function " + f.name());
        }
    }

    private static void define(Set<String> defined, String name, MilFunction f) {
        if (!name.matches("[A-Za-z_][A-Za-z0-9_@]*")) throw new IllegalArgumentException("'" + name + "' is not a MIL name");
        if (!defined.add(name)) throw new IllegalArgumentException("'" + name + "' is defined twice in function " + f.name());
    }
}
