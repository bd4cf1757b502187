package io.github.ane4j.internal;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** os.name / os.arch values as JVMs report them, mapped to the jar's resource folders. */
class PlatformTest {
    @Test
    void jvmNamesMapToResourceFolders() {
        assertEquals("linux-x86_64", Platform.of("Linux", "amd64").id());
        assertEquals("linux-aarch64", Platform.of("Linux", "aarch64").id());
        assertEquals("darwin-aarch64", Platform.of("Mac OS X", "aarch64").id());
        assertEquals("darwin-x86_64", Platform.of("Mac OS X", "x86_64").id());
        assertEquals("windows_11-x86_64", Platform.of("Windows 11", "amd64").id());
    }

    @Test
    void libraryFileAndResourceFollowTheOs() {
        assertEquals("io/github/ane4j/native/linux-x86_64/libane_bridge.so", Platform.of("Linux", "amd64").resourcePath());
        assertEquals("io/github/ane4j/native/darwin-aarch64/libane_bridge.dylib", Platform.of("Mac OS X", "arm64").resourcePath());
    }
}
