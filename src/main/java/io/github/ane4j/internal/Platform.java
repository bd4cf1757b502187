package io.github.ane4j.internal;

import java.util.Locale;

/**
 * The operating system and CPU architecture the bundled native library is built for, named as the
 * per-platform resource folders of the jar are ({@code io/github/ane4j/native/<os>-<arch>/}).
 *
 * @param os   {@code linux}, {@code darwin}, or the lower-cased {@code os.name} of an unsupported system
 * @param arch {@code x86_64}, {@code aarch64}, or the {@code os.arch} of an unsupported CPU
 */
public record Platform(String os, String arch) {
    /** The jar folder holding one {@code <os>-<arch>/} folder per bundled platform. */
    static final String RESOURCE_ROOT = "io/github/ane4j/native/";

    /** The platform this JVM runs on. */
    public static Platform current() {
        return of(System.getProperty("os.name", ""), System.getProperty("os.arch", ""));
    }

    /** The platform named by the {@code os.name} and {@code os.arch} system property values. */
    public static Platform of(String osName, String osArch) {
        String name = osName.toLowerCase(Locale.ROOT);
        String os = name.startsWith("linux") ? "linux"
                : name.startsWith("mac") || name.startsWith("darwin") ? "darwin"
                : name.replace(' ', '_');
        String arch = switch (osArch.toLowerCase(Locale.ROOT)) {
            case "amd64", "x86_64", "x86-64" -> "x86_64";
            case "aarch64", "arm64" -> "aarch64";
            default -> osArch.toLowerCase(Locale.ROOT);
        };
        return new Platform(os, arch);
    }

    /** {@code <os>-<arch>}, the resource folder name. */
    public String id() { return os + "-" + arch; }

    /** The library's file name: {@code libane_bridge.dylib} on darwin, {@code libane_bridge.so} elsewhere. */
    public String libraryFileName() { return "darwin".equals(os) ? "libane_bridge.dylib" : "libane_bridge.so"; }

    /** The jar resource holding this platform's library, without a leading slash. */
    public String resourcePath() { return RESOURCE_ROOT + id() + "/" + libraryFileName(); }
}
