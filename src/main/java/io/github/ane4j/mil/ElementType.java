package io.github.ane4j.mil;

import io.github.ane4j.DType;

/**
 * Element type of a MIL value: every dtype the MIL text dialect spells. Only some of them fit a surface
 * (see {@link #surfaceType()}); the others appear in constants and op configuration (bool flags, string
 * modes, uint64 offsets).
 */
public enum ElementType {
    FP16("fp16"), FP32("fp32"), INT32("int32"), INT16("int16"), UINT16("uint16"), INT8("int8"), UINT8("uint8"),
    UINT4("uint4"), UINT64("uint64"), BOOL("bool"), STRING("string");

    private final String milName;

    ElementType(String milName) { this.milName = milName; }

    /** The spelling in MIL text, e.g. {@code "fp16"}. */
    public String milName() { return milName; }

    /** Whether this is fp16 or fp32. */
    public boolean isFloat() { return this == FP16 || this == FP32; }

    /** Whether this is an integer type (int32, int16, uint16, int8, uint8, uint4, uint64). */
    public boolean isInteger() { return !isFloat() && this != BOOL && this != STRING; }

    /** Whether arithmetic applies: every type but bool and string. */
    public boolean isNumeric() { return this != BOOL && this != STRING; }

    /** The surface element type with this MIL spelling, or {@code null} when no surface holds this type. */
    public DType surfaceType() { return DType.fromMilName(milName); }

    /** The element type of surfaces of {@code dtype}. */
    public static ElementType of(DType dtype) { return fromMilName(dtype.milName()); }

    /** The type spelled {@code name} in MIL, or {@code null} when there is none. */
    public static ElementType fromMilName(String name) {
        for (ElementType t : values()) if (t.milName.equals(name)) return t;
        return null;
    }

    @Override
    public String toString() { return milName; }
}
