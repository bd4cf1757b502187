package io.github.ane4j;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** examples/quickstart, the consumer project ./run example builds and runs, holds the README's quick start. */
class QuickStartExampleTest {
    static final Path BASE = Path.of(System.getProperty("basedir", "."));

    @Test
    void theExampleContainsEveryLineOfTheReadmeQuickStart() throws IOException {
        Matcher block = Pattern.compile("```java\n(.*?)```", Pattern.DOTALL).matcher(Files.readString(BASE.resolve("README.md")));
        assertTrue(block.find(), "README.md has a java block");
        Set<String> example = Set.copyOf(Files.readString(BASE.resolve(
                "examples/quickstart/src/main/java/io/github/ane4j/examples/quickstart/QuickStart.java")).lines().map(String::strip).toList());
        List<String> missing = block.group(1).lines().map(String::strip).filter(l -> !l.isEmpty())
                .filter(l -> !example.contains(l)).toList();
        assertEquals(List.of(), missing, "README quick-start lines that examples/quickstart does not run");
    }
}
