package io.github.ane4j.mil;

import java.util.Objects;

/**
 * One thing {@link MilProgram#validateForAne()} found that is known to fail or mislead on the Apple Neural
 * Engine.
 *
 * @param rule     a stable rule id, e.g. {@code "rank-above-5"}
 * @param severity {@link Severity#ERROR} when the evidence says it fails or computes wrong results,
 *                 {@link Severity#WARNING} when the evidence is thin or conflicting (the reason says so)
 * @param line     1-based line of the statement in {@link MilProgram#text()}, or 0 for the signature
 * @param reason   what is wrong and what to do instead
 * @param source   where the rule comes from (project, file or report), so it can be checked
 */
public record AneFinding(String rule, Severity severity, int line, String reason, String source) {
    /** How sure the evidence is. */
    public enum Severity {
        /** The evidence says it fails to compile or run, or computes wrong results. */
        ERROR,
        /** The evidence is thin or conflicting; the finding's reason says why. */
        WARNING
    }

    /**
     * Checks the parts.
     *
     * @throws NullPointerException when {@code rule}, {@code severity}, {@code reason} or {@code source} is null
     */
    public AneFinding {
        Objects.requireNonNull(rule, "rule");
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(source, "source");
    }

    @Override
    public String toString() {
        return severity + " " + rule + (line > 0 ? " (line " + line + ")" : "") + ": " + reason + " [" + source + "]";
    }
}
