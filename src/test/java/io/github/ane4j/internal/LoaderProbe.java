package io.github.ane4j.internal;

import io.github.ane4j.Ane;

/** Run in a child JVM by {@link NativeLibraryProcessTest}: loads the bridge as configured and reports. */
public final class LoaderProbe {
    private LoaderProbe() {}

    public static void main(String[] args) {
        System.out.println("loaded=" + NativeLibrary.load());
        try (Ane ane = Ane.open()) {
            System.out.println("backend=" + ane.backendName());
        }
    }
}
