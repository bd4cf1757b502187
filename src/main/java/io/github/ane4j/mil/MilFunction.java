package io.github.ane4j.mil;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One function of a program: {@code func main<ios18>(params) { statements } -> (outputs);}. Immutable.
 *
 * @param name       the function name ({@code main} for the function the bridge compiles)
 * @param opset      the opset tag, e.g. {@code ios18}
 * @param parameters the parameters in declaration order: one input surface each
 * @param attributes the raw text of an attribute block after the parameter list ({@code [...]}, as
 *                   coremlc writes for flexible shapes) or {@code null}; kept as written, not interpreted
 * @param statements the body
 * @param outputs    the returned names, in order: one output surface each
 */
public record MilFunction(String name, String opset, List<Parameter> parameters, String attributes,
                          List<Statement> statements, List<String> outputs) {
    /**
     * Copies the lists.
     *
     * @throws IllegalArgumentException when nothing is returned
     */
    public MilFunction {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(opset, "opset");
        parameters = List.copyOf(parameters);
        statements = List.copyOf(statements);
        outputs = List.copyOf(outputs);
        if (outputs.isEmpty()) throw new IllegalArgumentException("function " + name + " returns nothing");
    }

    /**
     * The declared type of a value of this function.
     *
     * @param name a parameter or statement result name
     * @return its declared type, or empty when this function defines no such name
     */
    public Optional<MilType> typeOf(String name) {
        for (Parameter p : parameters) if (p.name().equals(name)) return Optional.of(p.type());
        for (Statement s : statements) {
            for (Statement.Result r : s.results()) if (r.name().equals(name)) return Optional.of(r.type());
        }
        return Optional.empty();
    }
}
