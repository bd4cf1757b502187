package io.github.ane4j;

/**
 * Element type of a surface or MIL tensor, with its size in bytes and the MIL blob storage code the
 * native bridge uses for it ({@code ane_dtype} in {@code ane_bridge.h}).
 */
public enum DType {
    /** IEEE 754 binary16, the ANE's native element type. */
    FP16("fp16", 2, 1),
    /** IEEE 754 binary32. */
    FP32("fp32", 4, 2),
    /** Unsigned 8-bit integer. */
    UINT8("uint8", 1, 3),
    /** Signed 8-bit integer (quantized weights). */
    INT8("int8", 1, 4),
    /** Signed 32-bit integer. */
    INT32("int32", 4, 14);

    private final String milName;
    private final int byteSize;
    private final int nativeCode;

    DType(String milName, int byteSize, int nativeCode) {
        this.milName = milName;
        this.byteSize = byteSize;
        this.nativeCode = nativeCode;
    }

    /** {@return the spelling in MIL text, e.g. {@code "fp16"}} */
    public String milName() { return milName; }

    /** {@return the bytes per element} */
    public int byteSize() { return byteSize; }

    /** {@return the {@code ane_dtype} code of the native bridge} */
    public int nativeCode() { return nativeCode; }

    /** {@return the type spelled {@code name} in MIL, or {@code null} when it is not a surface element type}
     *  @param name a MIL type name, e.g. {@code "fp16"} */
    public static DType fromMilName(String name) {
        for (DType t : values()) if (t.milName.equals(name)) return t;
        return null;
    }

    /** {@return the type with native code {@code code}}
     *  @param code an {@code ane_dtype} value
     *  @throws IllegalArgumentException for an unknown code */
    public static DType fromNativeCode(int code) {
        for (DType t : values()) if (t.nativeCode == code) return t;
        throw new IllegalArgumentException("unknown native dtype code " + code);
    }
}
