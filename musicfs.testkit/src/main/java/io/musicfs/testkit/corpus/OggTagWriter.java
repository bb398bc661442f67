package io.musicfs.testkit.corpus;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Replaces the comment header of an Ogg Vorbis (packet 2 of 3 headers) or Ogg Opus ({@code OpusTags},
 * packet 2 of 2) stream. The identification page is kept, the header packets after it are paginated
 * again (granule 0 where a packet ends, -1 where none does, continuation flags, at most 255 segments
 * a page) and every later page is copied with its sequence number renumbered and its CRC computed
 * again. Only single-stream files whose audio starts on a fresh page (what the encoders write) are
 * accepted.
 */
final class OggTagWriter {

    private static final byte[] VORBIS_COMMENT_MAGIC = {3, 'v', 'o', 'r', 'b', 'i', 's'};
    private static final byte[] OPUS_TAGS_MAGIC = "OpusTags".getBytes(StandardCharsets.US_ASCII);
    private static final int VORBIS_FRAMING_BIT = 1;

    private OggTagWriter() {
    }

    static byte[] writeVorbis(byte[] ogg, Tags tags) {
        return rewrite(ogg, 3, old -> {
            requireMagic(old, VORBIS_COMMENT_MAGIC, "Vorbis comment");
            String vendor = VorbisComment.vendor(old, VORBIS_COMMENT_MAGIC.length);
            return new ByteSink(512).bytes(VORBIS_COMMENT_MAGIC)
                    .bytes(VorbisComment.encode(vendor, VorbisComment.fields(tags, false)))
                    .u8(VORBIS_FRAMING_BIT).toByteArray();
        });
    }

    static byte[] writeOpus(byte[] ogg, Tags tags) {
        return rewrite(ogg, 2, old -> {
            requireMagic(old, OPUS_TAGS_MAGIC, "OpusTags");
            String vendor = VorbisComment.vendor(old, OPUS_TAGS_MAGIC.length);
            return new ByteSink(512).bytes(OPUS_TAGS_MAGIC)
                    .bytes(VorbisComment.encode(vendor, VorbisComment.fields(tags, false))).toByteArray();
        });
    }

    private static byte[] rewrite(byte[] ogg, int headerCount, UnaryOperator<byte[]> newComment) {
        List<OggPage> pages = OggPage.parseAll(ogg);
        int serial = pages.get(0).serial();
        List<byte[]> headers = new ArrayList<>();
        ByteSink packet = new ByteSink(4096);
        int firstAudioPage = -1;
        for (int p = 0; p < pages.size() && firstAudioPage < 0; p++) {
            OggPage page = pages.get(p);
            if (page.serial() != serial) {
                throw new IllegalArgumentException("multiplexed Ogg streams are not supported");
            }
            int position = page.bodyOffset();
            for (int segment : page.lacing()) {
                if (headers.size() == headerCount) {
                    throw new IllegalArgumentException("audio shares a page with the Ogg header packets");
                }
                packet.bytes(ogg, position, segment);
                position += segment;
                if (segment < OggPage.MAX_SEGMENTS) {
                    headers.add(packet.toByteArray());
                    packet = new ByteSink(4096);
                }
            }
            if (p == 0 && (headers.size() != 1 || packet.size() != 0)) {
                throw new IllegalArgumentException("the first Ogg page must hold the identification header alone");
            }
            if (headers.size() == headerCount) {
                firstAudioPage = p + 1;
            }
        }
        if (firstAudioPage < 0) {
            throw new IllegalArgumentException("Ogg stream ends inside its header packets");
        }
        List<byte[]> rewritten = new ArrayList<>(headers.subList(1, headerCount));
        rewritten.set(0, newComment.apply(rewritten.get(0)));

        ByteSink out = new ByteSink(ogg.length + 1024);
        out.bytes(ogg, 0, pages.get(0).end());
        int sequence = paginate(out, rewritten, serial, 1);
        for (int p = firstAudioPage; p < pages.size(); p++) {
            pages.get(p).copyAs(out, ogg, sequence++);
        }
        return out.toByteArray();
    }

    /**
     * Writes {@code packets} on as many pages as they need, the last page ending with the last packet.
     *
     * @return the sequence number of the page after them
     */
    private static int paginate(ByteSink out, List<byte[]> packets, int serial, int sequence) {
        PageBuilder page = new PageBuilder();
        for (byte[] packet : packets) {
            int position = 0;
            int segment;
            do {
                segment = Math.min(OggPage.MAX_SEGMENTS, packet.length - position);
                page.add(packet, position, segment);
                position += segment;
                if (page.isFull()) {
                    sequence = page.flush(out, serial, sequence);
                }
            } while (segment == OggPage.MAX_SEGMENTS);
        }
        return page.isEmpty() ? sequence : page.flush(out, serial, sequence);
    }

    private static void requireMagic(byte[] packet, byte[] magic, String what) {
        for (int i = 0; i < magic.length; i++) {
            if (packet.length <= i || packet[i] != magic[i]) {
                throw new IllegalArgumentException("the second Ogg header packet is not a " + what + " packet");
            }
        }
    }

    /** The segments of the page being filled. */
    private static final class PageBuilder {
        private final int[] lacing = new int[OggPage.MAX_SEGMENTS];
        private final ByteSink body = new ByteSink(OggPage.MAX_SEGMENTS * OggPage.MAX_SEGMENTS);
        private int segments;
        private boolean packetEnds;
        private boolean continued;

        void add(byte[] packet, int offset, int length) {
            lacing[segments++] = length;
            body.bytes(packet, offset, length);
            packetEnds |= length < OggPage.MAX_SEGMENTS;
        }

        boolean isFull() {
            return segments == OggPage.MAX_SEGMENTS;
        }

        boolean isEmpty() {
            return segments == 0;
        }

        int flush(ByteSink out, int serial, int sequence) {
            byte[] bytes = body.toByteArray();
            int[] table = Arrays.copyOf(lacing, segments);
            OggPage.write(out, continued ? OggPage.CONTINUED : 0, packetEnds ? 0 : OggPage.NO_PACKET_ENDS, serial,
                    sequence, table, bytes, 0, bytes.length);
            continued = lacing[segments - 1] == OggPage.MAX_SEGMENTS;
            segments = 0;
            packetEnds = false;
            body.clear();
            return sequence + 1;
        }
    }
}
