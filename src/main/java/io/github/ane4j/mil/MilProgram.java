package io.github.ane4j.mil;

import io.github.ane4j.MilCompileException;

import java.util.List;
import java.util.Objects;

/**
 * A MIL program's text with its signature: the function parameters (one input surface each, in order;
 * with dynamic weights, the trailing ones are the weight surfaces), the returned values (one output
 * surface each, in order) and the weight files it references. Immutable and thread-safe.
 *
 * <p>{@link #parse} reads the upstream MIL text dialect. It checks the program header, every function
 * signature, each statement's declared result types, the returned names and the BLOBFILE references;
 * op arguments are only checked for balanced brackets — the compiler checks their meaning. When the
 * program has several functions, the signature is that of {@code main}, else of the first.
 */
public final class MilProgram {
    private final String text;
    private final List<TensorSpec> parameters;
    private final List<TensorSpec> outputs;
    private final List<String> blobFiles;

    MilProgram(String text, List<TensorSpec> parameters, List<TensorSpec> outputs, List<String> blobFiles) {
        this.text = text;
        this.parameters = List.copyOf(parameters);
        this.outputs = List.copyOf(outputs);
        this.blobFiles = List.copyOf(blobFiles);
    }

    /**
     * Parses MIL text.
     *
     * @param text the program
     * @return its signature, outputs and weight files
     * @throws MilCompileException for malformed text, with the 1-based line and column of the cause, or
     *                             when a parameter or returned value has a type no surface can hold
     *                             (e.g. bool, string, or more than 2^63 - 1 bytes)
     */
    public static MilProgram parse(String text) {
        return MilParser.parse(Objects.requireNonNull(text, "text"));
    }

    /** {@return the MIL text, exactly as given to {@link #parse}} */
    public String text() { return text; }

    /** {@return the function parameters in declaration order} */
    public List<TensorSpec> parameters() { return parameters; }

    /** {@return the returned values in return order, each with the type its declaration gives it} */
    public List<TensorSpec> outputs() { return outputs; }

    /** {@return the distinct BLOBFILE paths as written (e.g. {@code @model_path/weights/wq.bin}), in order of
     *  first appearance} These name the weight files a compile needs. */
    public List<String> blobFiles() { return blobFiles; }

    @Override
    public String toString() {
        return "MilProgram" + parameters + " -> " + outputs + (blobFiles.isEmpty() ? "" : " weights " + blobFiles);
    }
}
