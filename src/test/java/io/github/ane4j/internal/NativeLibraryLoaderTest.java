package io.github.ane4j.internal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The library search, with a recording stand-in for System.load so nothing is really loaded. */
class NativeLibraryLoaderTest {
    static final Platform LINUX = new Platform("linux", "x86_64");
    static final byte[] LIBRARY = "not really an ELF file, but bytes with a known hash".getBytes();

    @TempDir
    Path tmp;

    final List<Path> loaded = Collections.synchronizedList(new ArrayList<>());
    final Consumer<Path> record = loaded::add;

    NativeLibraryLoader loader(String explicit, List<Path> dirs, byte[] resource, Consumer<Path> load) {
        return new NativeLibraryLoader(LINUX, explicit, dirs, new BundledLibraries(
                name -> name.equals(LINUX.resourcePath()) ? new ByteArrayInputStream(resource) : null,
                () -> List.of(LINUX.resourcePath())), load);
    }

    static String sha256(byte[] bytes) throws NoSuchAlgorithmException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    static void assertContains(String text, String... parts) {
        for (String part : parts) assertTrue(text.contains(part), "\"" + part + "\" in:\n" + text);
    }

    @Test
    void anExplicitPathIsLoadedAsIs() throws IOException {
        Path lib = Files.write(tmp.resolve("custom.so"), LIBRARY);
        Path result = loader(lib.toString(), List.of(tmp.resolve("cache")), LIBRARY, record).load();
        assertEquals(lib, result);
        assertEquals(List.of(lib), loaded);
        assertTrue(Files.notExists(tmp.resolve("cache")), "nothing extracted");
    }

    @Test
    void aBadExplicitPathIsAnErrorWithoutFallback() {
        String missing = tmp.resolve("nope/libane_bridge.so").toString();
        UnsatisfiedLinkError e = assertThrows(UnsatisfiedLinkError.class,
                () -> loader(missing, List.of(tmp.resolve("cache")), LIBRARY, record).load());
        assertContains(e.getMessage(), missing, "ane4j.library.path", "no such file", "linux-x86_64");
        assertTrue(loaded.isEmpty());
    }

    @Test
    void anExplicitPathThatFailsToLoadReportsTheLoaderMessage() throws IOException {
        Path lib = Files.write(tmp.resolve("broken.so"), LIBRARY);
        UnsatisfiedLinkError e = assertThrows(UnsatisfiedLinkError.class, () -> loader(lib.toString(), List.of(), LIBRARY,
                p -> { throw new UnsatisfiedLinkError("invalid ELF header"); }).load());
        assertContains(e.getMessage(), lib.toString(), "invalid ELF header");
    }

    @Test
    void theBundledLibraryIsExtractedToAFolderNamedByItsHash() throws Exception {
        Path cache = tmp.resolve("cache");
        Path result = loader(null, List.of(cache), LIBRARY, record).load();
        Path expected = cache.resolve(sha256(LIBRARY)).resolve("libane_bridge.so");
        assertEquals(expected, result);
        assertEquals(List.of(expected), loaded);
        assertArrayEquals(LIBRARY, Files.readAllBytes(expected));
        try (Stream<Path> files = Files.list(expected.getParent())) {
            assertEquals(List.of(expected), files.toList(), "no temporary files left behind");
        }
    }

    @Test
    void aDamagedCachedCopyIsReplaced() throws Exception {
        Path cache = tmp.resolve("cache");
        Path target = cache.resolve(sha256(LIBRARY)).resolve("libane_bridge.so");
        Files.createDirectories(target.getParent());
        Files.write(target, new byte[] {1, 2, 3});
        loader(null, List.of(cache), LIBRARY, record).load();
        assertArrayEquals(LIBRARY, Files.readAllBytes(target));
    }

    @Test
    void anUnwritableCacheFallsBackToTheNextFolder() throws IOException {
        Path notADirectory = Files.write(tmp.resolve("file"), new byte[0]);
        Path second = tmp.resolve("second");
        Path result = loader(null, List.of(notADirectory, second), LIBRARY, record).load();
        assertTrue(result.startsWith(second), result.toString());
    }

    @Test
    void aFolderWhereLoadingFailsFallsBackToTheNext() throws IOException {
        Path noexec = tmp.resolve("noexec"), ok = tmp.resolve("ok");
        Path result = loader(null, List.of(noexec, ok), LIBRARY, p -> {
            if (p.startsWith(noexec)) throw new UnsatisfiedLinkError("failed to map segment from shared object");
            loaded.add(p);
        }).load();
        assertTrue(result.startsWith(ok), result.toString());
    }

    @Test
    void whenEveryFolderFailsTheErrorListsThemAndTheNoexecRemedy() {
        Path a = tmp.resolve("a"), b = tmp.resolve("b");
        UnsatisfiedLinkError e = assertThrows(UnsatisfiedLinkError.class, () -> loader(null, List.of(a, b), LIBRARY,
                p -> { throw new UnsatisfiedLinkError("failed to map segment from shared object"); }).load());
        assertContains(e.getMessage(), "linux-x86_64", a.toString(), b.toString(), "failed to map segment",
                "noexec", "-Dane4j.cache.dir=", "-Dane4j.library.path=");
    }

    /** A jar holding the libraries of three platforms, each with its own bytes. */
    Path multiPlatformJar() throws IOException {
        return BundledLibrariesTest.jar(tmp.resolve("multi.jar"), Map.of(
                "linux-x86_64/libane_bridge.so", "x86_64 ELF",
                "linux-aarch64/libane_bridge.so", "aarch64 ELF",
                "darwin-aarch64/libane_bridge.dylib", "arm64 Mach-O"));
    }

    Path loadFromJar(Path jar, Platform platform) throws IOException {
        try (URLClassLoader classes = new URLClassLoader(new URL[] {jar.toUri().toURL()}, null)) {
            BundledLibraries bundled = new BundledLibraries(classes::getResourceAsStream,
                    () -> BundledLibraries.listPath(jar));
            return new NativeLibraryLoader(platform, null, List.of(tmp.resolve("cache")), bundled, record).load();
        }
    }

    @Test
    void aMultiPlatformJarYieldsTheLibraryOfTheRunningPlatform() throws IOException {
        Path jar = multiPlatformJar();
        Path linuxArm = loadFromJar(jar, Platform.of("Linux", "aarch64"));
        assertEquals("aarch64 ELF", Files.readString(linuxArm));
        assertEquals("libane_bridge.so", linuxArm.getFileName().toString());
        Path mac = loadFromJar(jar, Platform.of("Mac OS X", "aarch64"));
        assertEquals("arm64 Mach-O", Files.readString(mac));
        assertEquals("libane_bridge.dylib", mac.getFileName().toString());
        assertEquals("x86_64 ELF", Files.readString(loadFromJar(jar, Platform.of("Linux", "amd64"))));
        assertEquals(List.of(linuxArm, mac), loaded.subList(0, 2));
    }

    @Test
    void aJarWithoutThePlatformsLibraryNamesThePlatformsItHas() throws IOException {
        Path jar = multiPlatformJar();
        UnsatisfiedLinkError e = assertThrows(UnsatisfiedLinkError.class,
                () -> loadFromJar(jar, Platform.of("Windows 11", "amd64")));
        assertContains(e.getMessage(), "windows_11-x86_64", "io/github/ane4j/native/windows_11-x86_64/libane_bridge.so",
                "not present", "holds native libraries for darwin-aarch64, linux-aarch64, linux-x86_64 only");
        e = assertThrows(UnsatisfiedLinkError.class, () -> loadFromJar(jar, Platform.of("Mac OS X", "x86_64")));
        assertContains(e.getMessage(), "darwin-x86_64", "none for darwin-x86_64");
        assertTrue(loaded.isEmpty());
    }

    @Test
    void aJarWithoutAnyLibrarySaysSo() throws IOException {
        Path jar = BundledLibrariesTest.jar(tmp.resolve("empty.jar"), Map.of());
        UnsatisfiedLinkError e = assertThrows(UnsatisfiedLinkError.class, () -> loadFromJar(jar, LINUX));
        assertContains(e.getMessage(), "linux-x86_64", "holds no native library at all");
    }

    @Test
    void aJarThatCannotBeListedStillNamesTheMissingPlatform() {
        BundledLibraries unreadable = new BundledLibraries(name -> null, () -> { throw new IOException("zip END header not found"); });
        UnsatisfiedLinkError e = assertThrows(UnsatisfiedLinkError.class,
                () -> new NativeLibraryLoader(LINUX, null, List.of(tmp), unreadable, record).load());
        assertContains(e.getMessage(), "none for linux-x86_64", "could not be listed", "zip END header not found");
    }

    @Test
    void concurrentExtractionsAgreeOnOneComplete(/* as several JVMs would */) throws Exception {
        Path cache = tmp.resolve("cache");
        ExecutorService pool = Executors.newFixedThreadPool(4);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<Path>> results = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                results.add(pool.submit(() -> {
                    start.await();
                    return loader(null, List.of(cache), LIBRARY, record).load();
                }));
            }
            start.countDown();
            Set<Path> paths = ConcurrentHashMap.newKeySet();
            for (Future<Path> f : results) paths.add(f.get());
            assertEquals(1, paths.size());
            Path target = paths.iterator().next();
            assertArrayEquals(LIBRARY, Files.readAllBytes(target));
            try (Stream<Path> files = Files.list(target.getParent())) {
                assertEquals(1, files.count(), "no temporary files left behind");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void defaultCacheFoldersHonourThePropertyThenTheTemporaryFolder() {
        String saved = System.getProperty(NativeLibraryLoader.CACHE_PROPERTY);
        try {
            System.setProperty(NativeLibraryLoader.CACHE_PROPERTY, tmp.toString());
            List<Path> dirs = NativeLibraryLoader.defaultCacheDirs();
            assertEquals(tmp, dirs.get(0));
            assertTrue(dirs.get(1).startsWith(Path.of(System.getProperty("java.io.tmpdir"))), dirs.toString());
            System.clearProperty(NativeLibraryLoader.CACHE_PROPERTY);
            assertEquals(Path.of(System.getProperty("user.home"), ".cache", "ane4j"), NativeLibraryLoader.defaultCacheDirs().get(0));
        } finally {
            if (saved == null) System.clearProperty(NativeLibraryLoader.CACHE_PROPERTY);
            else System.setProperty(NativeLibraryLoader.CACHE_PROPERTY, saved);
        }
    }
}
