package io.github.ane4j;

/** Which native backend an {@link Ane} compiles and runs programs on. */
public enum Backend {
    /** The bridge's default: the Apple Neural Engine when available, else the reference backend. The
     *  environment variable {@code ANE4J_BACKEND} ({@code ane} or {@code reference}) can preset it. */
    AUTO("auto"),
    /** The Apple Neural Engine (macOS on Apple Silicon only). */
    ANE("ane"),
    /** The portable CPU interpreter with ANE-like fp16 rounding; available everywhere. */
    REFERENCE("reference");

    private final String nativeName;

    Backend(String nativeName) { this.nativeName = nativeName; }

    /** {@return the name the native bridge uses: {@code auto}, {@code ane} or {@code reference}} */
    public String nativeName() { return nativeName; }
}
