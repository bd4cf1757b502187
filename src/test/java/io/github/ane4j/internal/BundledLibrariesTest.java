package io.github.ane4j.internal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.JarOutputStream;
import java.util.zip.ZipEntry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which platforms a jar or class folder carries a library for, and what this build bundled. */
class BundledLibrariesTest {
    static final Map<String, String> THREE_PLATFORMS_AND_NOISE = Map.of(
            "linux-x86_64/libane_bridge.so", "x86_64 ELF",
            "linux-aarch64/libane_bridge.so", "aarch64 ELF",
            "darwin-aarch64/libane_bridge.dylib", "arm64 Mach-O",
            "linux-x86_64/README.txt", "not a library",
            "libane_bridge.so", "not in a platform folder",
            "linux-riscv64/nested/libane_bridge.so", "one folder too deep");

    @TempDir
    Path tmp;

    /** Writes a jar whose entries are {@code files} under the native root, plus a class file elsewhere. */
    static Path jar(Path file, Map<String, String> files) throws IOException {
        try (OutputStream out = Files.newOutputStream(file); JarOutputStream jar = new JarOutputStream(out)) {
            jar.putNextEntry(new ZipEntry("io/github/ane4j/Ane.class"));
            jar.write(new byte[] {(byte) 0xca, (byte) 0xfe});
            for (var e : new TreeMap<>(files).entrySet()) {
                jar.putNextEntry(new ZipEntry(Platform.RESOURCE_ROOT + e.getKey()));
                jar.write(e.getValue().getBytes(StandardCharsets.UTF_8));
            }
        }
        return file;
    }

    static BundledLibraries listing(Path location) {
        return new BundledLibraries(name -> null, () -> BundledLibraries.listPath(location));
    }

    @Test
    void aJarListsThePlatformFoldersHoldingALibrary() throws IOException {
        Path jar = jar(tmp.resolve("multi.jar"), THREE_PLATFORMS_AND_NOISE);
        assertEquals(List.of("darwin-aarch64", "linux-aarch64", "linux-x86_64"), listing(jar).platforms());
    }

    @Test
    void aClassFolderListsThePlatformFoldersHoldingALibrary() throws IOException {
        for (var e : THREE_PLATFORMS_AND_NOISE.entrySet()) {
            Path file = tmp.resolve(Platform.RESOURCE_ROOT + e.getKey());
            Files.createDirectories(file.getParent());
            Files.writeString(file, e.getValue());
        }
        assertEquals(List.of("darwin-aarch64", "linux-aarch64", "linux-x86_64"), listing(tmp).platforms());
    }

    @Test
    void aJarOrFolderWithoutNativeLibrariesListsNone() throws IOException {
        assertEquals(List.of(), listing(jar(tmp.resolve("plain.jar"), Map.of())).platforms());
        assertEquals(List.of(), listing(Files.createDirectory(tmp.resolve("classes"))).platforms());
    }

    @Test
    void anUnreadableJarIsAnError() throws IOException {
        Path broken = Files.writeString(tmp.resolve("broken.jar"), "not a zip file");
        assertThrows(IOException.class, () -> listing(broken).platforms());
    }

    @Test
    void theRunningBuildListsItsOwnPlatform() throws IOException {
        // Through the named module when the tests run on the module path, else the jar or class folder.
        assertTrue(BundledLibraries.of(NativeLibrary.class).platforms().contains(Platform.current().id()));
    }

    /** The platform of a resource folder name: the os is everything before the first '-'. */
    static Platform platformOf(String id) {
        int dash = id.indexOf('-');
        return new Platform(id.substring(0, dash), id.substring(dash + 1));
    }

    @Test
    void everyBundledLibraryIsBuiltForTheFolderItIsIn() throws IOException {
        BundledLibraries bundled = BundledLibraries.of(NativeLibrary.class);
        List<String> platforms = bundled.platforms();
        assertFalse(platforms.isEmpty());
        for (String id : platforms) {
            Platform platform = platformOf(id);
            try (InputStream in = bundled.open(platform)) {
                assertNotNull(in, "the library listed for " + id + " cannot be opened as " + platform.resourcePath());
                assertEquals(id, BinaryFormat.platformOf(in.readNBytes(4096)), platform.resourcePath());
            }
        }
    }

    @Test
    void everyBundledLibraryCarriesTheProjectVersion() throws IOException {
        String version = System.getProperty("ane4j.project.version");
        assertNotNull(version, "surefire passes ane4j.project.version");
        byte[] needle = (version + "\0").getBytes(StandardCharsets.US_ASCII);
        BundledLibraries bundled = BundledLibraries.of(NativeLibrary.class);
        List<String> without = new ArrayList<>();
        for (String id : bundled.platforms()) {
            try (InputStream in = bundled.open(platformOf(id))) {
                if (indexOf(in.readAllBytes(), needle) < 0) without.add(id);
            }
        }
        assertEquals(List.of(), without, "libraries built from another version than " + version);
    }

    static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) if (haystack[i + j] != needle[j]) continue outer;
            return i;
        }
        return -1;
    }

    /** The platform a shared library is built for, read from its ELF or Mach-O header. */
    static final class BinaryFormat {
        private BinaryFormat() {}

        static String platformOf(byte[] header) {
            ByteBuffer le = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
            if (header.length >= 20 && le.getInt(0) == 0x464c457f) {          // "\x7fELF"
                if (header[4] != 2 || header[5] != 1) return "ELF, not 64-bit little-endian";
                return "linux-" + switch (le.getShort(18)) {                  // e_machine
                    case 62 -> "x86_64";
                    case 183 -> "aarch64";
                    default -> "ELF machine " + le.getShort(18);
                };
            }
            if (header.length >= 8 && le.getInt(0) == 0xfeedfacf) {           // MH_MAGIC_64
                return "darwin-" + cpu(le.getInt(4));
            }
            if (header.length >= 8 && ByteBuffer.wrap(header).getInt(0) == 0xcafebabe) { // universal binary
                return "darwin-universal";
            }
            return "not an ELF or Mach-O library";
        }

        private static String cpu(int cputype) {
            return switch (cputype) {
                case 0x0100000c -> "aarch64"; // CPU_TYPE_ARM64
                case 0x01000007 -> "x86_64";  // CPU_TYPE_X86_64
                default -> "Mach-O cpu " + Integer.toHexString(cputype);
            };
        }
    }

    @Test
    void theHeaderReaderTellsPlatformsApart() {
        byte[] elf = new byte[64];
        ByteBuffer.wrap(elf).order(ByteOrder.LITTLE_ENDIAN).putInt(0, 0x464c457f).put(4, (byte) 2).put(5, (byte) 1)
                .putShort(18, (short) 183);
        assertEquals("linux-aarch64", BinaryFormat.platformOf(elf));
        ByteBuffer.wrap(elf).order(ByteOrder.LITTLE_ENDIAN).putShort(18, (short) 62);
        assertEquals("linux-x86_64", BinaryFormat.platformOf(elf));
        byte[] macho = new byte[32];
        ByteBuffer.wrap(macho).order(ByteOrder.LITTLE_ENDIAN).putInt(0, 0xfeedfacf).putInt(4, 0x0100000c);
        assertEquals("darwin-aarch64", BinaryFormat.platformOf(macho));
        assertEquals("not an ELF or Mach-O library", BinaryFormat.platformOf("plain text".getBytes(StandardCharsets.UTF_8)));
    }
}
