package io.github.ane4j.internal;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/** The generated bindings must come from the current native/include/ane_bridge.h. */
class GeneratedBindingsDriftTest {
    @Test
    void bindingsWereGeneratedFromTheCurrentHeader() throws IOException, NoSuchAlgorithmException {
        Path base = Path.of(System.getProperty("basedir", "."));
        Properties generated = new Properties();
        try (Reader in = Files.newBufferedReader(base.resolve("src/main/java/io/github/ane4j/internal/ffi/GENERATED.properties"))) {
            generated.load(in);
        }
        String recorded = generated.getProperty("header.sha256");
        assertNotNull(recorded, "GENERATED.properties has no header.sha256; run native/jextract.sh");
        byte[] header = Files.readAllBytes(base.resolve("native/include/ane_bridge.h"));
        String actual = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(header));
        assertEquals(recorded, actual, "native/include/ane_bridge.h changed since the bindings in "
                + "io.github.ane4j.internal.ffi were generated: run native/jextract.sh and commit the result");
    }
}
