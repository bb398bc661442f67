package io.musicfs.catalog.internal.tags;

import java.io.ByteArrayOutputStream;
import java.io.IOException;

/**
 * Reads the tags of an Ogg file from its first pages: the identification packet names the codec
 * (Vorbis, Opus, or FLAC in Ogg), the next header packet holds the Vorbis comment. Pages are
 * walked header by header and only the pages of the first logical stream are reassembled;
 * nothing after the comment packet is fetched (the duration is not needed, so neither is the last
 * page).
 */
final class OggLayout {

    /** Codec and tags of one Ogg file. */
    record Result(String format, TagValues values) {
    }

    private static final int PAGE_HEADER = 27;
    private static final int FLAG_CONTINUED = 0x01;
    private static final int FLAG_BOS = 0x02;
    /** FLAC in Ogg: the header packets after the first are metadata blocks; this many is plenty. */
    private static final int MAX_HEADER_PACKETS = 64;
    /** Header packets span a handful of pages; a walk this long is garbage or a multiplexed monster. */
    private static final int MAX_PAGES = 10_000;

    private OggLayout() {
    }

    static Result read(RangeFetcher f, AudioContainer container, int readahead, long maxTagBytes)
            throws IOException, UnreadableException {
        PacketReader packets = new PacketReader(f, readahead, maxTagBytes);
        byte[] id = packets.next();
        if (id == null) {
            throw new UnreadableException("its first Ogg page holds no packet");
        }
        String format;
        if (id.length >= 30 && id[0] == 1 && Bytes.startsWith(id, 1, "vorbis")) {
            format = "Ogg Vorbis";
        } else if (id.length >= 19 && Bytes.startsWith(id, 0, "OpusHead")) {
            format = "Opus";
        } else if (id.length >= 13 && (id[0] & 0xFF) == 0x7F && Bytes.startsWith(id, 1, "FLAC")) {
            format = "FLAC";
        } else {
            throw new UnreadableException("its Ogg stream is not Vorbis, Opus or FLAC");
        }
        if (container == AudioContainer.OPUS && !format.equals("Opus")) {
            throw new UnreadableException("it is " + format + " in Ogg, not Opus as its extension says");
        }
        TagValues values = switch (format) {
            case "Ogg Vorbis" -> {
                byte[] comment = packets.next();
                if (comment == null || comment.length < 7 || comment[0] != 3
                        || !Bytes.startsWith(comment, 1, "vorbis")) {
                    throw new UnreadableException("its second Vorbis packet is not the comment header");
                }
                yield VorbisComments.parse(comment, 7, comment.length);
            }
            case "Opus" -> {
                byte[] comment = packets.next();
                if (comment == null || !Bytes.startsWith(comment, 0, "OpusTags")) {
                    throw new UnreadableException("its second Opus packet is not OpusTags");
                }
                yield VorbisComments.parse(comment, 8, comment.length);
            }
            default -> flacComment(packets);
        };
        return new Result(format, values);
    }

    /** FLAC in Ogg: each header packet after the first is one metadata block; find the comment. */
    private static TagValues flacComment(PacketReader packets) throws IOException, UnreadableException {
        for (int i = 0; i < MAX_HEADER_PACKETS; i++) {
            byte[] block = packets.next();
            if (block == null || block.length < 4) {
                break;
            }
            int type = block[0] & 0x7F;
            if (type == 4) {
                return VorbisComments.parse(block, 4, block.length);
            }
            if ((block[0] & 0x80) != 0) {
                break; // the last metadata block
            }
        }
        return new TagValues();
    }

    /** Reassembles the packets of the first logical stream, page by page. */
    private static final class PacketReader {
        private final RangeFetcher f;
        private final int readahead;
        private final long maxPacket;
        private long pagePos;
        private long serial = -1;
        private int pageNumber;
        /** Lacing values and data of the current page, and where in them the next packet starts. */
        private int[] lacing = new int[0];
        private long dataPos;
        private int lace;

        PacketReader(RangeFetcher f, int readahead, long maxPacket) {
            this.f = f;
            this.readahead = readahead;
            this.maxPacket = maxPacket;
        }

        /** @return the next complete packet, or {@code null} at the end of the file */
        byte[] next() throws IOException, UnreadableException {
            ByteArrayOutputStream packet = new ByteArrayOutputStream();
            boolean inPacket = false;
            while (true) {
                while (lace < lacing.length) {
                    int n = lacing[lace++];
                    if (packet.size() + (long) n > maxPacket) {
                        throw new UnreadableException("an Ogg header packet is larger than " + maxPacket + " bytes");
                    }
                    packet.write(f.content(dataPos, n), 0, n);
                    dataPos += n;
                    inPacket = true;
                    if (n < 255) {
                        return packet.toByteArray();
                    }
                }
                if (!nextPage(inPacket)) {
                    return null;
                }
            }
        }

        /** Moves to the next page of our stream; {@code false} at the end of the file. */
        private boolean nextPage(boolean continuing) throws IOException, UnreadableException {
            while (true) {
                if (!f.inFile(pagePos, PAGE_HEADER)) {
                    return false;
                }
                byte[] h = f.header(pagePos, PAGE_HEADER);
                if (!Bytes.startsWith(h, 0, "OggS") || h[4] != 0) {
                    throw new UnreadableException("no Ogg page starts at offset " + pagePos);
                }
                int flags = Bytes.u8(h, 5);
                long pageSerial = Bytes.u32le(h, 14);
                int segments = Bytes.u8(h, 26);
                if (!f.inFile(pagePos + PAGE_HEADER, segments)) {
                    throw new UnreadableException("the Ogg page at offset " + pagePos + " is truncated");
                }
                byte[] table = f.header(pagePos + PAGE_HEADER, segments);
                long data = pagePos + PAGE_HEADER + segments;
                int dataLength = 0;
                int[] values = new int[segments];
                for (int i = 0; i < segments; i++) {
                    values[i] = Bytes.u8(table, i);
                    dataLength += values[i];
                }
                if (!f.inFile(data, dataLength)) {
                    throw new UnreadableException("the Ogg page at offset " + pagePos + " is truncated");
                }
                if (pageNumber++ == 0) {
                    if ((flags & FLAG_BOS) == 0) {
                        throw new UnreadableException("its first Ogg page does not begin a stream");
                    }
                    serial = pageSerial;
                }
                if (pageNumber > MAX_PAGES) {
                    throw new UnreadableException("its header packets span more than " + MAX_PAGES + " Ogg pages");
                }
                pagePos = data + dataLength;
                if (pageSerial != serial) {
                    continue; // another logical stream multiplexed in (video, a second track)
                }
                // fetch the page body, and the next page header with it
                f.fetchAtLeast(data, dataLength, dataLength + PAGE_HEADER + readahead);
                lacing = values;
                lace = 0;
                dataPos = data;
                if (!continuing && (flags & FLAG_CONTINUED) != 0) {
                    skipContinuation();
                }
                return true;
            }
        }

        /** Drops the tail of a packet whose start we never saw. */
        private void skipContinuation() {
            while (lace < lacing.length) {
                int n = lacing[lace++];
                dataPos += n;
                if (n < 255) {
                    return;
                }
            }
        }
    }
}
