package io.github.ane4j.internal;

import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleReader;
import java.lang.module.ResolvedModule;
import java.net.URISyntaxException;
import java.nio.file.FileSystemNotFoundException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * The native libraries a jar carries, one per platform, at {@code io/github/ane4j/native/<os>-<arch>/} (see
 * {@link Platform#resourcePath()}). A jar may hold several: the build bundles the library it makes and those
 * named by {@code -Dane4j.natives=<folder>}.
 */
public final class BundledLibraries {
    private static final Pattern LIBRARY = Pattern.compile(
            Pattern.quote(Platform.RESOURCE_ROOT) + "([^/]+)/libane_bridge\\.(?:so|dylib)");

    private final Function<String, InputStream> resources;
    private final Lister lister;

    /** Lists the resource names of a jar or module. */
    @FunctionalInterface
    public interface Lister {
        /**
         * @return every resource name of the container (at least those under the native root), no leading slash
         * @throws IOException when the container cannot be read
         */
        List<String> names() throws IOException;
    }

    /**
     * @param resources opens a resource by name (no leading slash), or returns null when there is none
     * @param lister    lists the container's resource names, for naming the platforms in errors
     */
    public BundledLibraries(Function<String, InputStream> resources, Lister lister) {
        this.resources = Objects.requireNonNull(resources);
        this.lister = Objects.requireNonNull(lister);
    }

    /** The libraries bundled with {@code anchor}'s module or jar: its resources, listed from its named module,
     *  else from the jar file or folder it was loaded from. */
    public static BundledLibraries of(Class<?> anchor) {
        return new BundledLibraries(name -> anchor.getResourceAsStream("/" + name), () -> listContainer(anchor));
    }

    /** Opens the library bundled for {@code platform}, or returns null when the jar has none for it. */
    public InputStream open(Platform platform) {
        return resources.apply(platform.resourcePath());
    }

    /**
     * The platforms that have a library, as sorted {@code <os>-<arch>} ids.
     *
     * @throws IOException when the jar or module cannot be listed
     */
    public List<String> platforms() throws IOException {
        return lister.names().stream().map(LIBRARY::matcher).filter(Matcher::matches).map(m -> m.group(1))
                .distinct().sorted().toList();
    }

    /** Resource names of the named module, jar or class folder {@code anchor} comes from. */
    static List<String> listContainer(Class<?> anchor) throws IOException {
        Module module = anchor.getModule();
        Optional<ResolvedModule> resolved = module.isNamed() && module.getLayer() != null
                ? module.getLayer().configuration().findModule(module.getName()) : Optional.empty();
        if (resolved.isPresent()) {
            try (ModuleReader reader = resolved.get().reference().open(); Stream<String> names = reader.list()) {
                return names.toList();
            }
        }
        CodeSource source = anchor.getProtectionDomain().getCodeSource();
        if (source == null || source.getLocation() == null) throw new IOException("no code source for " + anchor);
        Path location;
        try {
            location = Path.of(source.getLocation().toURI());
        } catch (URISyntaxException | IllegalArgumentException | FileSystemNotFoundException e) {
            throw new IOException("cannot list " + source.getLocation(), e);
        }
        return listPath(location);
    }

    /** Resource names under the native root of a jar file or a class folder. */
    static List<String> listPath(Path location) throws IOException {
        if (Files.isDirectory(location)) {
            Path root = location.resolve(Platform.RESOURCE_ROOT);
            if (!Files.isDirectory(root)) return List.of();
            try (Stream<Path> files = Files.walk(root, 2)) {
                return files.filter(Files::isRegularFile).map(p -> Platform.RESOURCE_ROOT + root.relativize(p)
                        .toString().replace(location.getFileSystem().getSeparator(), "/")).toList();
            }
        }
        try (ZipFile zip = new ZipFile(location.toFile())) {
            return zip.stream().map(ZipEntry::getName).filter(n -> n.startsWith(Platform.RESOURCE_ROOT)).toList();
        }
    }
}
