package io.github.ane4j.internal;

import io.github.ane4j.internal.ffi.AneBridge;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One version, the Maven project's: the native library, make run alone, and every place that names it. */
class VersionTest {
    static final Path BASE = Path.of(System.getProperty("basedir", "."));
    /** The version Maven's own model holds, passed in by surefire. */
    static final String VERSION = System.getProperty("ane4j.project.version");

    @Test
    void theNativeLibraryReportsTheMavenVersion() {
        assertNotNull(VERSION, "surefire passes ane4j.project.version");
        NativeLibrary.load();
        assertEquals(VERSION, CStrings.read(AneBridge.ane_bridge_version()));
    }

    @Test
    void makeRunAloneReadsTheSameVersionFromThePom() throws IOException, InterruptedException {
        ProcessBuilder make = new ProcessBuilder("make", "-s", "-C", BASE.resolve("native").toString(), "version")
                .redirectErrorStream(true);
        make.environment().remove("VERSION");
        make.environment().remove("MAKEFLAGS");
        Process p = make.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        assertEquals(VERSION, out);
    }

    @Test
    void theReadmeAndEveryProjectUsingTheLibraryNameThisVersion() throws IOException {
        Pattern dependency = Pattern.compile("<artifactId>ane4j</artifactId>\\s*<version>([^<]*)</version>");
        List<String> wrong = new ArrayList<>();
        for (String file : List.of("README.md", "examples/quickstart/pom.xml", "demo/pom.xml", "jmh/pom.xml")) {
            Matcher m = dependency.matcher(Files.readString(BASE.resolve(file)));
            if (!m.find()) wrong.add(file + ": no ane4j dependency with a version");
            else do {
                if (!m.group(1).equals(VERSION)) wrong.add(file + ": " + m.group(1));
            } while (m.find());
        }
        assertEquals(List.of(), wrong, "ane4j dependencies that do not name " + VERSION);
    }
}
