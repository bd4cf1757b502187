package io.github.ane4j.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Finds the native bridge and loads it, in this order:
 * <ol>
 * <li>the file named by the system property {@value #PATH_PROPERTY}, when set (no fallback: a bad path is
 *     an error);</li>
 * <li>the jar's library for this platform (a jar may bundle several, see {@link BundledLibraries}), extracted
 *     to {@code <cache folder>/<sha-256 of the library>/}
 *     and loaded from there, trying each cache folder in turn. A file already there is reused when its
 *     bytes match, else rewritten. Writing goes to a temporary file that is then renamed
 *     atomically, so concurrent JVMs never see a partial library.</li>
 * </ol>
 * When nothing loads, the {@link UnsatisfiedLinkError} names the platform, every path tried with its
 * failure, the platforms the jar does have when it has none for this one, and what to set when a folder is
 * mounted noexec. The loading function is a parameter so the search can be tested without loading anything.
 */
public final class NativeLibraryLoader {
    /** System property: an explicit library file to load instead of the bundled one. */
    public static final String PATH_PROPERTY = "ane4j.library.path";
    /** System property: the folder to extract the bundled library to. */
    public static final String CACHE_PROPERTY = "ane4j.cache.dir";

    private final Platform platform;
    private final String explicitPath;
    private final List<Path> cacheDirs;
    private final BundledLibraries bundled;
    private final Consumer<Path> load;

    /**
     * @param platform     the platform whose library is wanted (named in errors)
     * @param explicitPath the value of {@value #PATH_PROPERTY}, or null
     * @param cacheDirs    extraction folders, most preferred first
     * @param bundled      the libraries the jar carries; the one for {@code platform} is chosen
     * @param load         loads a library file (e.g. {@code System::load}); throws UnsatisfiedLinkError
     */
    public NativeLibraryLoader(Platform platform, String explicitPath, List<Path> cacheDirs,
                               BundledLibraries bundled, Consumer<Path> load) {
        this.platform = Objects.requireNonNull(platform);
        this.explicitPath = explicitPath;
        this.cacheDirs = List.copyOf(cacheDirs);
        this.bundled = Objects.requireNonNull(bundled);
        this.load = Objects.requireNonNull(load);
    }

    /** The extraction folders for these system properties: {@value #CACHE_PROPERTY} (default
     *  {@code ${user.home}/.cache/ane4j}), then {@code ${java.io.tmpdir}/ane4j-${user.name}}. */
    public static List<Path> defaultCacheDirs() {
        String configured = System.getProperty(CACHE_PROPERTY);
        Path first = configured != null && !configured.isBlank()
                ? Path.of(configured)
                : Path.of(System.getProperty("user.home"), ".cache", "ane4j");
        Path temp = Path.of(System.getProperty("java.io.tmpdir"), "ane4j-" + System.getProperty("user.name", "user"));
        return List.of(first, temp);
    }

    /** Loads the library and returns the file it was loaded from.
     *  @throws UnsatisfiedLinkError when no candidate loads, with every attempt in the message */
    public Path load() {
        if (explicitPath != null && !explicitPath.isBlank()) return loadExplicit(Path.of(explicitPath).toAbsolutePath());

        List<String> tried = new ArrayList<>();
        byte[] library = readResource();
        if (library == null) {
            tried.add("jar resource /" + platform.resourcePath() + ": not present (" + bundledPlatforms() + ")");
            throw failure(tried, null);
        }
        String sha256 = sha256(library);
        Throwable lastCause = null;
        for (Path dir : cacheDirs) {
            Path target = dir.toAbsolutePath().resolve(sha256).resolve(platform.libraryFileName());
            try {
                extract(library, target);
            } catch (IOException | RuntimeException e) {
                tried.add(target + ": cannot extract (" + e + ")");
                lastCause = e;
                continue;
            }
            try {
                load.accept(target);
                return target;
            } catch (UnsatisfiedLinkError e) {
                tried.add(target + ": extracted but cannot be loaded (" + e.getMessage() + ")");
                lastCause = e;
            }
        }
        throw failure(tried, lastCause);
    }

    private Path loadExplicit(Path path) {
        String origin = "-D" + PATH_PROPERTY + "=" + explicitPath;
        if (!Files.isRegularFile(path)) {
            throw failure(List.of(path + " (from " + origin + "): no such file"), null);
        }
        try {
            load.accept(path);
            return path;
        } catch (UnsatisfiedLinkError e) {
            throw failure(List.of(path + " (from " + origin + "): " + e.getMessage()), e);
        }
    }

    /** What the jar has instead, for the error when it has nothing for this platform. */
    private String bundledPlatforms() {
        try {
            List<String> ids = bundled.platforms();
            return ids.isEmpty() ? "this ane4j jar holds no native library at all: it was built without its native part"
                    : "this ane4j jar holds native libraries for " + String.join(", ", ids) + " only, none for "
                    + platform.id();
        } catch (IOException | RuntimeException e) {
            return "this ane4j jar has none for " + platform.id() + "; the platforms it has could not be listed: " + e;
        }
    }

    private byte[] readResource() {
        try (InputStream in = bundled.open(platform)) {
            return in == null ? null : in.readAllBytes();
        } catch (IOException e) {
            throw failure(List.of("jar resource /" + platform.resourcePath() + ": cannot read (" + e + ")"), e);
        }
    }

    /** Makes {@code target} hold exactly {@code library}: reuse a matching file, else write a temporary file
     *  beside it and rename it into place in one step. */
    private static void extract(byte[] library, Path target) throws IOException {
        Path dir = Files.createDirectories(target.getParent());
        Path temp = Files.createTempFile(dir, target.getFileName().toString(), ".tmp");
        try {
            requireOwnedLikeTemp(dir, temp);
            requireOwnedLikeTemp(dir.getParent(), temp);
            if (Files.isRegularFile(target) && Files.size(target) == library.length
                    && Arrays.equals(Files.readAllBytes(target), library)) return;
            Files.write(temp, library);
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("the file system of " + dir + " cannot rename atomically", e);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** Refuses folders someone else owns (e.g. pre-created in a shared /tmp): they could swap the library
     *  between the hash check and the load. Skipped on file systems without owners. */
    private static void requireOwnedLikeTemp(Path dir, Path temp) throws IOException {
        try {
            var us = Files.getOwner(temp);
            var owner = Files.getOwner(dir);
            if (!owner.equals(us)) throw new IOException(dir + " is owned by " + owner.getName() + ", not " + us.getName());
        } catch (UnsupportedOperationException noOwners) {
            // nothing to check
        }
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("every JDK provides SHA-256", e);
        }
    }

    private UnsatisfiedLinkError failure(List<String> tried, Throwable cause) {
        StringBuilder sb = new StringBuilder("ane4j: cannot load the native bridge ")
                .append(platform.libraryFileName()).append(" for platform ").append(platform.id()).append(". Tried:");
        for (String t : tried) sb.append("\n  - ").append(t);
        sb.append("\nIf a folder is on a file system mounted noexec (common for /tmp), set -D").append(CACHE_PROPERTY)
                .append("=<a folder that allows executables>, or set -D").append(PATH_PROPERTY)
                .append("=<path to ").append(platform.libraryFileName()).append("> to load a library file directly.");
        UnsatisfiedLinkError error = new UnsatisfiedLinkError(sb.toString());
        if (cause != null) error.initCause(cause);
        return error;
    }
}
