package io.musicfs.testkit.corpus;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a FLAC file's {@code VORBIS_COMMENT} block. The metadata is rebuilt as STREAMINFO (kept
 * first), the template's other blocks except its comment and padding, the new comment and, for
 * large tracks, one PADDING block that makes the file exactly the size asked for; the last-block
 * flag is set on the final block only. Audio frames are copied untouched.
 */
final class FlacTagWriter {

    private static final int STREAMINFO = 0;
    private static final int PADDING = 1;
    private static final int VORBIS_COMMENT = 4;
    private static final int MAX_BLOCK_LENGTH = (1 << 24) - 1;
    private static final int BLOCK_HEADER = 4;
    /** How much of a large template is read to find its metadata (flac writes a few KiB). */
    private static final int LARGE_HEAD_BYTES = 1 << 20;

    private FlacTagWriter() {
    }

    /** @return a tagged copy of the FLAC file {@code flac} */
    static byte[] write(byte[] flac, List<String> fields) {
        Metadata m = Metadata.parse(flac, flac.length);
        ByteSink out = new ByteSink(flac.length + 512);
        m.writeWith(out, fields, -1);
        out.bytes(flac, m.audioOffset, flac.length - m.audioOffset);
        return out.toByteArray();
    }

    /**
     * Streams a tagged copy of the FLAC file {@code template} to {@code out}, padded to exactly
     * {@code totalSize} bytes with a PADDING block after the comment (so the tags stay readable from
     * the head of the file).
     */
    static void writePadded(Path template, List<String> fields, long totalSize, OutputStream out)
            throws IOException {
        long templateSize = Files.size(template);
        try (InputStream in = Files.newInputStream(template)) {
            byte[] head = in.readNBytes((int) Math.min(templateSize, LARGE_HEAD_BYTES));
            Metadata m = Metadata.parse(head, templateSize);
            long audioBytes = templateSize - m.audioOffset;
            int unpaddedHeader = m.headerSize(fields, 0);
            long padding = totalSize - audioBytes - unpaddedHeader - BLOCK_HEADER;
            if (padding < 0 || padding > MAX_BLOCK_LENGTH) {
                throw new IllegalStateException("large FLAC template " + template + " cannot be padded to "
                        + totalSize + " bytes (needs " + padding + " bytes of padding)");
            }
            ByteSink header = new ByteSink(unpaddedHeader + BLOCK_HEADER);
            m.writeWith(header, fields, (int) padding);
            out.write(header.toByteArray());
            out.write(new byte[(int) padding]);
            out.write(head, m.audioOffset, head.length - m.audioOffset);
            in.transferTo(out);
        }
    }

    /** The template's metadata blocks that are kept, and where its audio frames start. */
    private static final class Metadata {
        private final byte[] data;
        private final List<int[]> kept = new ArrayList<>();
        private String vendor = "musicfs testkit";
        private int audioOffset;

        private Metadata(byte[] data) {
            this.data = data;
        }

        static Metadata parse(byte[] data, long fileSize) {
            if (!ByteSink.startsWith(data, 0, "fLaC")) {
                throw new IllegalArgumentException("not a FLAC stream");
            }
            Metadata m = new Metadata(data);
            int offset = 4;
            boolean last = false;
            while (!last) {
                if (offset + BLOCK_HEADER > data.length) {
                    throw new IllegalArgumentException("FLAC metadata runs past the bytes read (" + fileSize + ")");
                }
                last = (data[offset] & 0x80) != 0;
                int type = data[offset] & 0x7f;
                int length = ByteSink.u24be(data, offset + 1);
                if (offset == 4 && type != STREAMINFO) {
                    throw new IllegalArgumentException("FLAC stream does not start with STREAMINFO");
                }
                if (type == VORBIS_COMMENT) {
                    m.vendor = VorbisComment.vendor(data, offset + BLOCK_HEADER);
                } else if (type != PADDING) {
                    m.kept.add(new int[] {offset, BLOCK_HEADER + length});
                }
                offset += BLOCK_HEADER + length;
            }
            m.audioOffset = offset;
            return m;
        }

        int headerSize(List<String> fields, int paddingBlocks) {
            int size = 4 + BLOCK_HEADER + VorbisComment.encode(vendor, fields).length + paddingBlocks * BLOCK_HEADER;
            for (int[] block : kept) {
                size += block[1];
            }
            return size;
        }

        /** Writes the marker and metadata; {@code padding < 0} means no PADDING block. */
        void writeWith(ByteSink out, List<String> fields, int padding) {
            out.ascii("fLaC");
            for (int[] block : kept) {
                out.u8(data[block[0]] & 0x7f).bytes(data, block[0] + 1, block[1] - 1);
            }
            byte[] comment = VorbisComment.encode(vendor, fields);
            out.u8(VORBIS_COMMENT | (padding < 0 ? 0x80 : 0)).u24be(comment.length).bytes(comment);
            if (padding >= 0) {
                out.u8(PADDING | 0x80).u24be(padding);
            }
        }
    }
}
