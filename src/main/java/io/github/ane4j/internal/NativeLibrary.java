package io.github.ane4j.internal;

import io.github.ane4j.internal.ffi.AneBridge;

import java.nio.file.Path;

/**
 * Loads the native bridge once per class loader, on first use (never from a static initialiser of an API
 * class), so the generated bindings in {@code internal.ffi} resolve their symbols through this class
 * loader's library lookup. See {@link NativeLibraryLoader} for the search order.
 */
public final class NativeLibrary {
    private static volatile Path loaded;

    private NativeLibrary() {}

    /**
     * Loads the bridge if not done yet and returns the file it came from. Thread-safe; after the first
     * success it returns at once. A failure is not remembered: the next call searches again.
     *
     * @throws UnsatisfiedLinkError  when no library loads, or the loaded one is too old for these bindings
     * @throws IllegalCallerException when the JVM refuses native access to this module
     */
    public static Path load() {
        Path path = loaded;
        if (path != null) return path;
        synchronized (NativeLibrary.class) {
            if (loaded == null) {
                Platform platform = Platform.current();
                Path file = new NativeLibraryLoader(platform, System.getProperty(NativeLibraryLoader.PATH_PROPERTY),
                        NativeLibraryLoader.defaultCacheDirs(),
                        () -> NativeLibrary.class.getResourceAsStream("/" + platform.resourcePath()),
                        p -> System.load(p.toString())).load();
                checkAbi(file);
                loaded = file;
            }
            return loaded;
        }
    }

    /** The flag that grants this module native access: by module name on the module path, else ALL-UNNAMED. */
    public static String nativeAccessFlag() {
        Module module = NativeLibrary.class.getModule();
        return "--enable-native-access=" + (module.isNamed() ? module.getName() : "ALL-UNNAMED");
    }

    /** The first bridge call binds a downcall, a restricted operation; turn a refusal into advice. Without the
     *  flag JDK 24+ prints a warning naming the caller; this adds which flag to pass. */
    private static void checkAbi(Path file) {
        Module module = NativeLibrary.class.getModule();
        if (!module.isNativeAccessEnabled()) {
            System.getLogger("io.github.ane4j").log(System.Logger.Level.WARNING,
                    "ane4j needs native access; pass " + nativeAccessFlag() + " to the java command");
        }
        int abi;
        try {
            abi = AneBridge.ane_bridge_abi_version();
        } catch (IllegalCallerException | ExceptionInInitializerError e) {
            Throwable cause = e instanceof ExceptionInInitializerError init ? init.getCause() : e;
            if (cause instanceof IllegalCallerException) {
                IllegalCallerException refused = new IllegalCallerException(
                        "the JVM refused native access to ane4j; pass " + nativeAccessFlag() + " to the java command");
                refused.initCause(e);
                throw refused;
            }
            UnsatisfiedLinkError notBridge = new UnsatisfiedLinkError("ane4j: " + file
                    + " loaded but does not export ane_bridge_abi_version: it is not the ane4j native bridge");
            notBridge.initCause(e);
            throw notBridge;
        }
        if (abi < AneBridge.ANE_BRIDGE_ABI_VERSION()) {
            throw new UnsatisfiedLinkError("ane4j: " + file + " implements bridge ABI " + abi + " but these bindings need "
                    + AneBridge.ANE_BRIDGE_ABI_VERSION() + " or newer; it is an older build: rebuild it (make -C native) "
                    + "or point -D" + NativeLibraryLoader.PATH_PROPERTY + " at a current one");
        }
    }
}
