package io.github.ane4j.internal;

import java.lang.foreign.MemorySegment;

/** Reads NUL-terminated UTF-8 strings returned by the bridge. */
public final class CStrings {
    private CStrings() {}

    /** The string at {@code pointer}, or null for a NULL pointer. The bridge's strings are short and
     *  NUL-terminated; the unbounded view is only read up to the terminator. */
    public static String read(MemorySegment pointer) {
        if (pointer.equals(MemorySegment.NULL)) return null;
        return pointer.reinterpret(Long.MAX_VALUE).getString(0);
    }
}
