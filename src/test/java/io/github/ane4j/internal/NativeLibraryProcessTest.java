package io.github.ane4j.internal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The real loader in fresh JVMs (a library loads once per JVM): the explicit path property, a bad path,
 * extraction of the bundled library, and the native-access advice.
 */
class NativeLibraryProcessTest {
    static final Path BASE = Path.of(System.getProperty("basedir", "."));

    @TempDir
    Path tmp;

    record Run(int exitCode, String out, String err) {}

    Run probe(String... jvmOptions) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of(jvmOptions));
        command.add("-Dane4j.cache.dir=" + tmp.resolve("cache"));
        command.add("-cp");
        command.add(location(NativeLibrary.class) + File.pathSeparator + location(LoaderProbe.class));
        command.add(LoaderProbe.class.getName());
        Process p = new ProcessBuilder(command)
                .redirectOutput(tmp.resolve("out").toFile()).redirectError(tmp.resolve("err").toFile()).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "child JVM finished");
        return new Run(p.exitValue(), Files.readString(tmp.resolve("out"), StandardCharsets.UTF_8),
                Files.readString(tmp.resolve("err"), StandardCharsets.UTF_8));
    }

    /** The jar or class folder a class was loaded from: target/classes, or the jar under test. */
    static Path location(Class<?> c) {
        try {
            return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static Path builtLibrary() {
        Path so = BASE.resolve("native/build/libane_bridge.so");
        return Files.exists(so) ? so.toAbsolutePath() : BASE.resolve("native/build/libane_bridge.dylib").toAbsolutePath();
    }

    @Test
    void theExplicitPathPropertyLoadsThatFile() throws Exception {
        Run run = probe("--enable-native-access=ALL-UNNAMED", "-Dane4j.library.path=" + builtLibrary());
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains("loaded=" + builtLibrary()), run.out());
        assertTrue(run.out().contains("backend="), run.out());
        assertTrue(Files.notExists(tmp.resolve("cache")), "nothing extracted");
        assertEquals("", run.err(), "no warnings with native access enabled");
    }

    @Test
    void aBadExplicitPathFailsWithAClearError() throws Exception {
        Path missing = tmp.resolve("missing/libane_bridge.so");
        Run run = probe("--enable-native-access=ALL-UNNAMED", "-Dane4j.library.path=" + missing);
        assertNotEquals(0, run.exitCode());
        assertTrue(run.err().contains("UnsatisfiedLinkError") && run.err().contains(missing.toString())
                && run.err().contains("ane4j.library.path"), run.err());
    }

    @Test
    void aLibraryThatIsNotTheBridgeIsNamedAsSuch() throws Exception {
        Path notBridge = Path.of(System.getProperty("java.home"), "lib", System.mapLibraryName("attach"));
        Run run = probe("--enable-native-access=ALL-UNNAMED", "-Dane4j.library.path=" + notBridge);
        assertNotEquals(0, run.exitCode());
        assertTrue(run.err().contains("UnsatisfiedLinkError") && run.err().contains(notBridge.toString())
                && run.err().contains("it is not the ane4j native bridge"), run.err());
    }

    @Test
    void theBundledLibraryIsExtractedToTheCacheAndLoaded() throws Exception {
        Run run = probe("--enable-native-access=ALL-UNNAMED");
        assertEquals(0, run.exitCode(), run.err());
        String loaded = run.out().lines().filter(l -> l.startsWith("loaded=")).findFirst().orElseThrow().substring(7);
        assertTrue(Path.of(loaded).startsWith(tmp.resolve("cache")), loaded);
        try (InputStream bundled = BundledLibraries.of(NativeLibrary.class).open(Platform.current())) {
            assertArrayEquals(bundled.readAllBytes(), Files.readAllBytes(Path.of(loaded)),
                    "the extracted copy is the library bundled for this platform");
        }
    }

    @Test
    void withoutNativeAccessTheFlagToPassIsNamed() throws Exception {
        Run warned = probe("-Dane4j.library.path=" + builtLibrary());
        assertEquals(0, warned.exitCode(), warned.err());
        assertTrue(warned.err().contains("--enable-native-access=ALL-UNNAMED"), warned.err());

        Run denied = probe("--illegal-native-access=deny", "-Dane4j.library.path=" + builtLibrary());
        assertNotEquals(0, denied.exitCode());
        assertTrue(denied.err().contains("IllegalCallerException")
                && denied.err().contains("pass --enable-native-access=ALL-UNNAMED"), denied.err());
    }
}
