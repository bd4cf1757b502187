package io.github.ane4j.internal;

import io.github.ane4j.internal.ffi.AneBridge;

import java.lang.foreign.SymbolLookup;
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
     * @throws UnsatisfiedLinkError  when no library loads, or the loaded one is not the bridge or too old for
     *                               these bindings
     * @throws IllegalCallerException when the JVM refuses native access to this module
     */
    public static Path load() {
        Path path = loaded;
        if (path != null) return path;
        synchronized (NativeLibrary.class) {
            if (loaded == null) {
                warnUnlessNativeAccessIsEnabled();
                Platform platform = Platform.current();
                try {
                    Path file = new NativeLibraryLoader(platform, System.getProperty(NativeLibraryLoader.PATH_PROPERTY),
                            NativeLibraryLoader.defaultCacheDirs(), BundledLibraries.of(NativeLibrary.class),
                            p -> System.load(p.toString())).load();
                    checkAbi(file);
                    loaded = file;
                } catch (IllegalCallerException e) {
                    throw refused(e);
                }
            }
            return loaded;
        }
    }

    /** The flag that grants this module native access: by module name on the module path, else ALL-UNNAMED. */
    public static String nativeAccessFlag() {
        Module module = NativeLibrary.class.getModule();
        return "--enable-native-access=" + (module.isNamed() ? module.getName() : "ALL-UNNAMED");
    }

    /** Loading a library and binding downcalls are restricted operations: without the flag JDK 24+ warns
     *  (naming the caller) or, with --illegal-native-access=deny, refuses. Say which flag to pass. */
    private static void warnUnlessNativeAccessIsEnabled() {
        if (!NativeLibrary.class.getModule().isNativeAccessEnabled()) {
            System.getLogger("io.github.ane4j").log(System.Logger.Level.WARNING,
                    "ane4j needs native access; pass " + nativeAccessFlag() + " to the java command");
        }
    }

    private static IllegalCallerException refused(Throwable cause) {
        IllegalCallerException e = new IllegalCallerException(
                "the JVM refused native access to ane4j; pass " + nativeAccessFlag() + " to the java command");
        e.initCause(cause);
        return e;
    }

    /** Checks the library is a bridge these bindings can drive. The symbol is looked up first: a binding
     *  whose symbol is missing fails its class initialisation for good, and would throw
     *  NoClassDefFoundError on the next attempt. */
    private static void checkAbi(Path file) {
        if (SymbolLookup.loaderLookup().find("ane_bridge_abi_version").isEmpty()) {
            throw new UnsatisfiedLinkError("ane4j: " + file
                    + " loaded but does not export ane_bridge_abi_version: it is not the ane4j native bridge");
        }
        int abi;
        try {
            abi = AneBridge.ane_bridge_abi_version();
        } catch (ExceptionInInitializerError e) {
            if (e.getCause() instanceof IllegalCallerException) throw refused(e);
            throw e;
        }
        if (abi < AneBridge.ANE_BRIDGE_ABI_VERSION()) {
            throw new UnsatisfiedLinkError("ane4j: " + file + " implements bridge ABI " + abi + " but these bindings need "
                    + AneBridge.ANE_BRIDGE_ABI_VERSION() + " or newer; it is an older build: rebuild it (make -C native) "
                    + "or point -D" + NativeLibraryLoader.PATH_PROPERTY + " at a current one");
        }
    }
}
