package io.github.ane4j.mil;

import io.github.ane4j.DType;

/**
 * Element type of a MIL value: every dtype the MIL text dialect spells. Only some of them fit a surface
 * (see {@link #surfaceType()}); the others appear in constants and op configuration (bool flags, string
 * modes, uint64 offsets).
 */
public enum ElementType {
    /** IEEE 754 half precision, {@code fp16}: what the Neural Engine computes in. */
    FP16("fp16"),
    /** IEEE 754 single precision, {@code fp32}. */
    FP32("fp32"),
    /** Signed 32-bit integer, {@code int32}: axes, shapes and indices. */
    INT32("int32"),
    /** Signed 16-bit integer, {@code int16}. */
    INT16("int16"),
    /** Unsigned 16-bit integer, {@code uint16}. */
    UINT16("uint16"),
    /** Signed 8-bit integer, {@code int8}. */
    INT8("int8"),
    /** Unsigned 8-bit integer, {@code uint8}. */
    UINT8("uint8"),
    /** Unsigned 4-bit integer, {@code uint4}. */
    UINT4("uint4"),
    /** Unsigned 64-bit integer, {@code uint64}: BLOBFILE offsets. */
    UINT64("uint64"),
    /** Boolean, {@code bool}: op flags such as {@code transpose_x}. */
    BOOL("bool"),
    /** String, {@code string}: names, modes and paths. */
    STRING("string");

    private final String milName;

    ElementType(String milName) { this.milName = milName; }

    /**
     * The spelling in MIL text.
     *
     * @return e.g. {@code "fp16"}
     */
    public String milName() { return milName; }

    /**
     * Whether this is a floating-point type.
     *
     * @return true for fp16 and fp32
     */
    public boolean isFloat() { return this == FP16 || this == FP32; }

    /**
     * Whether this is an integer type.
     *
     * @return true for int32, int16, uint16, int8, uint8, uint4 and uint64
     */
    public boolean isInteger() { return !isFloat() && this != BOOL && this != STRING; }

    /**
     * Whether arithmetic applies.
     *
     * @return true for every type but bool and string
     */
    public boolean isNumeric() { return this != BOOL && this != STRING; }

    /**
     * The surface element type with this MIL spelling.
     *
     * @return the surface dtype, or {@code null} when no surface holds this type
     */
    public DType surfaceType() { return DType.fromMilName(milName); }

    /**
     * The element type of surfaces of {@code dtype}.
     *
     * @param dtype a surface element type
     * @return the MIL element type of the same spelling
     */
    public static ElementType of(DType dtype) { return fromMilName(dtype.milName()); }

    /**
     * The type spelled {@code name} in MIL.
     *
     * @param name a MIL spelling such as {@code "int32"}
     * @return the type, or {@code null} when there is none
     */
    public static ElementType fromMilName(String name) {
        for (ElementType t : values()) if (t.milName.equals(name)) return t;
        return null;
    }

    @Override
    public String toString() { return milName; }
}
