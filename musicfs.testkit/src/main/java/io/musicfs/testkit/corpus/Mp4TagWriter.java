package io.musicfs.testkit.corpus;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes iTunes metadata into an MP4/M4A file: {@code moov/udta/meta} with an {@code mdir} handler
 * and an {@code ilst} of {@code ©ART aART ©alb ©nam trkn disk ©day ©gen ©wrt cpil}. The template's
 * {@code udta} is replaced. When {@code moov} follows {@code mdat} (ffmpeg without faststart)
 * growing it moves no sample; when it comes first, every {@code stco}/{@code co64} chunk offset is
 * shifted by the growth.
 */
final class Mp4TagWriter {

    private static final int TYPE_IMPLICIT = 0;
    private static final int TYPE_UTF8 = 1;
    private static final int TYPE_INTEGER = 21;
    private static final List<String> CONTAINERS_TO_CHUNK_OFFSETS = List.of("moov", "trak", "mdia", "minf", "stbl");

    private Mp4TagWriter() {
    }

    static byte[] write(byte[] mp4, Tags tags) {
        List<Box> top = Box.children(mp4, 0, mp4.length);
        Box moov = Box.only(top, "moov");
        Box mdat = Box.only(top, "mdat");
        ByteSink newMoov = new ByteSink(moov.size() + 1024);
        newMoov.u32be(0).ascii("moov");
        for (Box child : Box.children(mp4, moov.contentOffset(), moov.end())) {
            if (!child.type().equals("udta")) {
                newMoov.bytes(mp4, child.offset(), child.size());
            }
        }
        newMoov.bytes(udta(tags));
        newMoov.setU32be(0, newMoov.size());
        byte[] moovBytes = newMoov.toByteArray();
        if (moov.offset() < mdat.offset()) {
            shiftChunkOffsets(moovBytes, 0, moovBytes.length, moovBytes.length - moov.size());
        }
        return new ByteSink(mp4.length + 1024).bytes(mp4, 0, moov.offset()).bytes(moovBytes)
                .bytes(mp4, moov.end(), mp4.length - moov.end()).toByteArray();
    }

    private static byte[] udta(Tags tags) {
        ByteSink ilst = new ByteSink(512);
        text(ilst, "\u00a9ART", tags.artist());
        text(ilst, "aART", tags.albumArtist());
        text(ilst, "\u00a9alb", tags.album());
        text(ilst, "\u00a9nam", tags.title());
        if (tags.track() > 0) {
            item(ilst, "trkn", TYPE_IMPLICIT, new ByteSink(8).u16be(0).u16be(tags.track()).u16be(tags.trackTotal())
                    .u16be(0).toByteArray());
        }
        if (tags.disc() > 0) {
            item(ilst, "disk", TYPE_IMPLICIT, new ByteSink(6).u16be(0).u16be(tags.disc()).u16be(tags.discTotal())
                    .toByteArray());
        }
        text(ilst, "\u00a9day", tags.date());
        text(ilst, "\u00a9gen", tags.genre());
        text(ilst, "\u00a9wrt", tags.composer());
        if (tags.compilation()) {
            item(ilst, "cpil", TYPE_INTEGER, new byte[] {1});
        }
        ByteSink hdlr = new ByteSink(33).u32be(33).ascii("hdlr").u32be(0).u32be(0).ascii("mdir").ascii("appl")
                .u32be(0).u32be(0).u8(0);
        byte[] meta = box("meta", new ByteSink(4 + hdlr.size() + ilst.size() + 8).u32be(0)
                .bytes(hdlr.toByteArray()).bytes(box("ilst", ilst.toByteArray())).toByteArray());
        return box("udta", meta);
    }

    private static void text(ByteSink ilst, String type, String value) {
        if (value != null) {
            item(ilst, type, TYPE_UTF8, value.getBytes(StandardCharsets.UTF_8));
        }
    }

    private static void item(ByteSink ilst, String type, int dataType, byte[] payload) {
        byte[] data = box("data", new ByteSink(8 + payload.length).u32be(dataType).u32be(0).bytes(payload)
                .toByteArray());
        ilst.bytes(box(type, data));
    }

    private static byte[] box(String type, byte[] content) {
        return new ByteSink(8 + content.length).u32be(8 + content.length)
                .bytes(type.getBytes(StandardCharsets.ISO_8859_1)).bytes(content).toByteArray();
    }

    private static void shiftChunkOffsets(byte[] b, int from, int to, int delta) {
        for (Box box : Box.children(b, from, to)) {
            if (CONTAINERS_TO_CHUNK_OFFSETS.contains(box.type())) {
                shiftChunkOffsets(b, box.contentOffset(), box.end(), delta);
            } else if (box.type().equals("stco") || box.type().equals("co64")) {
                boolean wide = box.type().equals("co64");
                int count = (int) ByteSink.u32be(b, box.contentOffset() + 4);
                int entry = box.contentOffset() + 8;
                for (int i = 0; i < count; i++, entry += wide ? 8 : 4) {
                    if (wide) {
                        long shifted = ByteSink.u64be(b, entry) + delta;
                        ByteSink.putU32be(b, entry, shifted >>> 32);
                        ByteSink.putU32be(b, entry + 4, shifted);
                    } else {
                        ByteSink.putU32be(b, entry, ByteSink.u32be(b, entry) + delta);
                    }
                }
            }
        }
    }

    /** One box of a byte array: its type and where it and its content lie. */
    private record Box(String type, int offset, int size, int contentOffset) {

        int end() {
            return offset + size;
        }

        static List<Box> children(byte[] b, int from, int to) {
            List<Box> boxes = new ArrayList<>();
            int offset = from;
            while (offset + 8 <= to) {
                long size = ByteSink.u32be(b, offset);
                int header = 8;
                if (size == 1) {
                    size = ByteSink.u64be(b, offset + 8);
                    header = 16;
                } else if (size == 0) {
                    size = to - offset;
                }
                if (size < header || offset + size > to) {
                    throw new IllegalArgumentException("MP4 box at offset " + offset + " has a bad size " + size);
                }
                boxes.add(new Box(ByteSink.ascii(b, offset + 4, 4), offset, (int) size, offset + header));
                offset += (int) size;
            }
            return boxes;
        }

        static Box only(List<Box> boxes, String type) {
            List<Box> found = boxes.stream().filter(box -> box.type.equals(type)).toList();
            if (found.size() != 1) {
                throw new IllegalArgumentException("MP4 file has " + found.size() + " '" + type + "' boxes, not one");
            }
            return found.get(0);
        }
    }
}
