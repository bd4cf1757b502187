package io.github.ane4j;

import io.github.ane4j.mil.MilProgram;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The ANE compile budget through the Java API: settable and process-wide everywhere, enforced on the ANE. */
class CompileBudgetTest {

    /** out = x + x under a statement name no other compile in this JVM uses, so its compile is a real one. */
    private static MilProgram freshProgram(String tag) {
        return MilProgram.parse("""
                program(1.3)
                [buildInfo = dict<string, string>({{"coremlc-component-MIL", "3510.2.1"}, {"coremlc-version", "3505.4.1"}})]
                {
                    func main<ios18>(tensor<fp16, [1, 4, 1, 8]> x) {
                        tensor<fp16, [1,4,1,8]> out = add(x=x,y=x)[name=string("%s_%d_%d")];
                    } -> (out);
                }
                """.formatted(tag, ProcessHandle.current().pid(), System.nanoTime()));
    }

    @Test
    void theBudgetIsSettableAndProcessWide() {
        try (Ane a = Ane.open(Backend.REFERENCE); Ane b = Ane.open(Backend.REFERENCE)) {
            int saved = a.compileBudget();
            try {
                a.setCompileBudget(5);
                assertEquals(5, b.compileBudget());
                a.setCompileBudget(0);
                assertEquals(0, b.compileBudget());
            } finally {
                a.setCompileBudget(saved);
            }
        }
    }

    @Test
    void aNegativeBudgetIsRefused() {
        try (Ane ane = Ane.open(Backend.REFERENCE)) {
            int saved = ane.compileBudget();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ane.setCompileBudget(-3));
            assertTrue(e.getMessage().contains("-3"), e.getMessage());
            assertEquals(saved, ane.compileBudget());
        }
    }

    @Test
    void referenceCompilesDoNotUseTheBudget() {
        try (Ane ane = Ane.open(Backend.REFERENCE)) {
            int saved = ane.compileBudget(), used = ane.compileBudgetUsed(), compiles = ane.compileCount();
            try {
                ane.setCompileBudget(0);
                ane.compile(freshProgram("reference_budget")).close();
                assertEquals(compiles + 1, ane.compileCount(), "a real compile");
                assertEquals(used, ane.compileBudgetUsed(), "not an ANE one");
            } finally {
                ane.setCompileBudget(saved);
            }
        }
    }

    @Test
    @Tag("hardware")
    @EnabledIfSystemProperty(named = "ane4j.hardware", matches = "true",
            disabledReason = "needs the Apple Neural Engine: run with -Dane4j.hardware=true on an Apple Silicon Mac")
    void theAneRefusesACompilePastTheBudgetAndStillServesWhatItCompiled() {
        try (Ane ane = Ane.open(Backend.ANE)) {
            int saved = ane.compileBudget();
            MilProgram first = freshProgram("ane_budget_first");
            try (Kernel held = ane.compile(first)) {
                int used = ane.compileBudgetUsed();
                ane.setCompileBudget(used);
                CompileBudgetException e = assertThrows(CompileBudgetException.class,
                        () -> ane.compile(freshProgram("ane_budget_refused")));
                assertTrue(e.getMessage().contains(used + " of " + used + " compiles used"), e.getMessage());
                assertEquals(used, ane.compileBudgetUsed(), "a refused compile is not counted");
                try (Kernel again = ane.compile(first)) { // a cache hit: no compile needed
                    float[] x = {1, -2, 3.5f, 0.25f, 8, -0.5f, 2, 4, 1, 1, 1, 1, 1, 1, 1, 1,
                                 0, 0, 0, 0, 0, 0, 0, 0, 3, 3, 3, 3, 3, 3, 3, 3};
                    again.input(0).write(x);
                    again.eval();
                    float[] y = again.output(0).readFloats();
                    for (int i = 0; i < x.length; i++) assertEquals(2 * x[i], y[i], 0f, "element " + i);
                }
                assertEquals(used, ane.compileBudgetUsed());
                assertTrue(held.backendName().equals("ane"));
            } finally {
                ane.setCompileBudget(saved);
            }
        }
    }
}
