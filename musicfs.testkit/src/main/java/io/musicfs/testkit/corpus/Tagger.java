package io.musicfs.testkit.corpus;

/** Writes {@link Tags} into a copy of an untagged template, in the way a {@link TagLayout} names. */
final class Tagger {

    private Tagger() {
    }

    /** @return the tagged file; {@code untagged} itself for {@link TagLayout#NONE} */
    static byte[] write(TagLayout layout, byte[] untagged, Tags tags) {
        return switch (layout) {
            case NONE -> untagged;
            case FLAC_VORBIS_COMMENT -> FlacTagWriter.write(untagged, VorbisComment.fields(tags, false));
            case FLAC_VORBIS_COMMENT_SLASHED -> FlacTagWriter.write(untagged, VorbisComment.fields(tags, true));
            case ID3V23 -> concat(Id3v2Writer.write(tags, 3), untagged, new byte[0]);
            case ID3V24 -> concat(Id3v2Writer.write(tags, 4), untagged, new byte[0]);
            case ID3V23_ID3V1 -> concat(Id3v2Writer.write(tags, 3), untagged, Id3v1Writer.write(tags));
            case ID3V24_ID3V1 -> concat(Id3v2Writer.write(tags, 4), untagged, Id3v1Writer.write(tags));
            case ID3V1 -> concat(new byte[0], untagged, Id3v1Writer.write(tags));
            case OGG_VORBIS_COMMENT -> OggTagWriter.writeVorbis(untagged, tags);
            case OPUS_TAGS -> OggTagWriter.writeOpus(untagged, tags);
            case MP4_ILST -> Mp4TagWriter.write(untagged, tags);
            case WAV_ID3V23 -> WavTagWriter.write(untagged, tags, false);
            case RIFF_INFO_ID3V23 -> WavTagWriter.write(untagged, tags, true);
            case AIFF_ID3V24 -> AiffTagWriter.write(untagged, tags);
        };
    }

    private static byte[] concat(byte[] head, byte[] body, byte[] tail) {
        return new ByteSink(head.length + body.length + tail.length).bytes(head).bytes(body).bytes(tail)
                .toByteArray();
    }
}
