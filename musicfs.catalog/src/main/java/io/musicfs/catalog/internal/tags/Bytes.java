package io.musicfs.catalog.internal.tags;

import java.nio.charset.StandardCharsets;

/** Reading fixed-width fields out of header bytes. */
final class Bytes {

    private Bytes() {
    }

    static int u8(byte[] b, int i) {
        return b[i] & 0xFF;
    }

    static int u16be(byte[] b, int i) {
        return (u8(b, i) << 8) | u8(b, i + 1);
    }

    static int u24be(byte[] b, int i) {
        return (u8(b, i) << 16) | (u8(b, i + 1) << 8) | u8(b, i + 2);
    }

    static long u32be(byte[] b, int i) {
        return ((long) u8(b, i) << 24) | (u8(b, i + 1) << 16) | (u8(b, i + 2) << 8) | u8(b, i + 3);
    }

    static long u32le(byte[] b, int i) {
        return ((long) u8(b, i + 3) << 24) | (u8(b, i + 2) << 16) | (u8(b, i + 1) << 8) | u8(b, i);
    }

    /** @return the value, negative when the top bit is set (callers treat that as absurd) */
    static long u64be(byte[] b, int i) {
        return (u32be(b, i) << 32) | u32be(b, i + 4);
    }

    /** @return a 28-bit ID3v2 "syncsafe" integer, or -1 when a byte has its top bit set */
    static int syncsafe(byte[] b, int i) {
        int v = 0;
        for (int k = 0; k < 4; k++) {
            int x = u8(b, i + k);
            if (x >= 0x80) {
                return -1;
            }
            v = (v << 7) | x;
        }
        return v;
    }

    static String ascii(byte[] b, int i, int n) {
        return new String(b, i, n, StandardCharsets.ISO_8859_1);
    }

    static boolean startsWith(byte[] b, int i, String ascii) {
        if (b.length - i < ascii.length()) {
            return false;
        }
        for (int k = 0; k < ascii.length(); k++) {
            if (b[i + k] != (byte) ascii.charAt(k)) {
                return false;
            }
        }
        return true;
    }
}
