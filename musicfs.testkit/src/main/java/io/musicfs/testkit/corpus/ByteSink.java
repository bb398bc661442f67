package io.musicfs.testkit.corpus;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A growable byte array with the big- and little-endian writes the tag writers need, and
 * back-patching of sizes written before the content they measure. Not thread-safe.
 */
final class ByteSink {

    private byte[] buf;
    private int size;

    ByteSink(int initialCapacity) {
        buf = new byte[Math.max(16, initialCapacity)];
    }

    int size() {
        return size;
    }

    ByteSink u8(int value) {
        ensure(1);
        buf[size++] = (byte) value;
        return this;
    }

    ByteSink u16be(int value) {
        return u8(value >>> 8).u8(value);
    }

    ByteSink u24be(int value) {
        return u8(value >>> 16).u8(value >>> 8).u8(value);
    }

    ByteSink u32be(long value) {
        return u16be((int) (value >>> 16)).u16be((int) value);
    }

    ByteSink u64be(long value) {
        return u32be(value >>> 32).u32be(value);
    }

    ByteSink u32le(long value) {
        return u8((int) value).u8((int) (value >>> 8)).u8((int) (value >>> 16)).u8((int) (value >>> 24));
    }

    ByteSink u64le(long value) {
        return u32le(value).u32le(value >>> 32);
    }

    ByteSink bytes(byte[] value) {
        return bytes(value, 0, value.length);
    }

    ByteSink bytes(byte[] value, int offset, int length) {
        ensure(length);
        System.arraycopy(value, offset, buf, size, length);
        size += length;
        return this;
    }

    /** Writes a four-character code or other ASCII text, without terminator. */
    ByteSink ascii(String value) {
        return bytes(value.getBytes(StandardCharsets.US_ASCII));
    }

    ByteSink zeros(int count) {
        ensure(count);
        size += count;
        return this;
    }

    /** Overwrites four bytes at {@code offset}, big-endian: a box or chunk size written after its content. */
    void setU32be(int offset, long value) {
        putU32be(buf, offset, value);
    }

    void setU32le(int offset, long value) {
        for (int i = 0; i < 4; i++) {
            buf[offset + i] = (byte) (value >>> (8 * i));
        }
    }

    /** Forgets the content, keeping the capacity. */
    void clear() {
        size = 0;
    }

    byte[] toByteArray() {
        return Arrays.copyOf(buf, size);
    }

    private void ensure(int more) {
        if (size + more > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + more));
        }
    }

    static void putU32be(byte[] b, int offset, long value) {
        for (int i = 0; i < 4; i++) {
            b[offset + i] = (byte) (value >>> (24 - 8 * i));
        }
    }

    static int u16be(byte[] b, int offset) {
        return (b[offset] & 0xff) << 8 | (b[offset + 1] & 0xff);
    }

    static int u24be(byte[] b, int offset) {
        return (b[offset] & 0xff) << 16 | u16be(b, offset + 1);
    }

    static long u32be(byte[] b, int offset) {
        return (long) u16be(b, offset) << 16 | u16be(b, offset + 2);
    }

    static long u64be(byte[] b, int offset) {
        return u32be(b, offset) << 32 | u32be(b, offset + 4);
    }

    static long u32le(byte[] b, int offset) {
        return (b[offset] & 0xffL) | (b[offset + 1] & 0xffL) << 8 | (b[offset + 2] & 0xffL) << 16
                | (b[offset + 3] & 0xffL) << 24;
    }

    static boolean startsWith(byte[] b, int offset, String ascii) {
        if (offset + ascii.length() > b.length) {
            return false;
        }
        for (int i = 0; i < ascii.length(); i++) {
            if (b[offset + i] != (byte) ascii.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    static String ascii(byte[] b, int offset, int length) {
        return new String(b, offset, length, StandardCharsets.ISO_8859_1);
    }
}
