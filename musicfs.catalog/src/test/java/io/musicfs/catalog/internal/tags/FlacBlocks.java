package io.musicfs.catalog.internal.tags;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Test-only: takes a FLAC file apart into metadata blocks and puts blocks together in any order. */
public final class FlacBlocks {

    private FlacBlocks() {
    }

    /** @return each metadata block, header included, in file order */
    public static List<byte[]> parse(byte[] flac) {
        List<byte[]> blocks = new ArrayList<>();
        int pos = 4;
        boolean last = false;
        while (!last) {
            last = (flac[pos] & 0x80) != 0;
            int length = ((flac[pos + 1] & 0xFF) << 16) | ((flac[pos + 2] & 0xFF) << 8) | (flac[pos + 3] & 0xFF);
            blocks.add(Arrays.copyOfRange(flac, pos, pos + 4 + length));
            pos += 4 + length;
        }
        return blocks;
    }

    /** @return the audio frames after the metadata */
    public static byte[] audio(byte[] flac) {
        int pos = 4;
        for (byte[] b : parse(flac)) {
            pos += b.length;
        }
        return Arrays.copyOfRange(flac, pos, flac.length);
    }

    public static int type(byte[] block) {
        return block[0] & 0x7F;
    }

    public static byte[] block(int type, byte[] body) {
        byte[] b = new byte[4 + body.length];
        b[0] = (byte) type;
        b[1] = (byte) (body.length >>> 16);
        b[2] = (byte) (body.length >>> 8);
        b[3] = (byte) body.length;
        System.arraycopy(body, 0, b, 4, body.length);
        return b;
    }

    /** A PICTURE block carrying {@code size} bytes of (fake) JPEG. */
    public static byte[] picture(int size) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        byte[] mime = "image/jpeg".getBytes(StandardCharsets.US_ASCII);
        body.writeBytes(be(3));
        body.writeBytes(be(mime.length));
        body.writeBytes(mime);
        body.writeBytes(be(0)); // description
        body.writeBytes(be(1000));
        body.writeBytes(be(1000));
        body.writeBytes(be(24));
        body.writeBytes(be(0));
        body.writeBytes(be(size));
        byte[] data = new byte[size];
        new java.util.Random(3).nextBytes(data);
        body.writeBytes(data);
        return block(6, body.toByteArray());
    }

    /** "fLaC", the blocks with only the final one marked last, then the audio. */
    public static byte[] assemble(List<byte[]> blocks, byte[] audio) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes("fLaC".getBytes(StandardCharsets.US_ASCII));
        for (int i = 0; i < blocks.size(); i++) {
            byte[] b = blocks.get(i).clone();
            b[0] = (byte) ((b[0] & 0x7F) | (i == blocks.size() - 1 ? 0x80 : 0));
            out.writeBytes(b);
        }
        out.writeBytes(audio);
        return out.toByteArray();
    }

    private static byte[] be(int v) {
        return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
    }
}
