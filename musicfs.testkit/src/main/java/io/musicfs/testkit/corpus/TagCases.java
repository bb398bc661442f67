package io.musicfs.testkit.corpus;

import static io.musicfs.testkit.corpus.HardCases.ROOT;
import static io.musicfs.testkit.corpus.HardCases.track;

import java.util.List;

/**
 * Hard cases about which tags are there: one of the artists missing, no album, no title, no tags,
 * compilations three ways, multi-disc albums, {@code 3/12} track numbers, ID3v1 alone, and a track
 * deep in a messy folder scheme.
 */
final class TagCases {

    private TagCases() {
    }

    static void plan(CorpusPlan plan) {
        missingArtists(plan);
        missingAlbumOrTitle(plan);
        noTags(plan);
        compilations(plan);
        multiDisc(plan);
        trackOfTotal(plan);
        id3v1Only(plan);
        deepFolder(plan);
    }

    private static void missingArtists(CorpusPlan plan) {
        Tags.Builder solo = Tags.builder().albumArtist("Solo Project").album("Lonely Tracks").date("2001");
        track(plan, HardCase.ALBUM_ARTIST_ONLY, TagLayout.MP4_ILST, ROOT + "Missing Artist/solo 1",
                solo.title("Only Album Artist").track(1, 2).build(),
                "Solo Project/Lonely Tracks (2001)/01 - Only Album Artist");
        track(plan, HardCase.ALBUM_ARTIST_ONLY, TagLayout.ID3V23, ROOT + "Missing Artist/solo 2",
                solo.title("Still No Artist").track(2, 2).build(),
                "Solo Project/Lonely Tracks (2001)/02 - Still No Artist");

        Tags.Builder singer = Tags.builder().artist("Plain Singer").album("Just Me").date("1997-05-21");
        track(plan, HardCase.ARTIST_ONLY, TagLayout.FLAC_VORBIS_COMMENT, ROOT + "Missing Album Artist/singer 1",
                singer.title("Only Artist").track(1, 2).build(), "Plain Singer/Just Me (1997)/01 - Only Artist");
        track(plan, HardCase.ARTIST_ONLY, TagLayout.RIFF_INFO_ID3V23, ROOT + "Missing Album Artist/singer 2",
                singer.title("Second Song").track(2, 2).build(), "Plain Singer/Just Me (1997)/02 - Second Song");
    }

    private static void missingAlbumOrTitle(CorpusPlan plan) {
        track(plan, HardCase.MISSING_ALBUM, TagLayout.OGG_VORBIS_COMMENT, ROOT + "Missing Album/single",
                Tags.builder().artist("Loose Singles").title("Single").track(1, 1).date("2003").build(),
                "Loose Singles/Unknown Album (2003)/01 - Single");
        track(plan, HardCase.MISSING_ALBUM, TagLayout.OPUS_TAGS, ROOT + "Missing Album/orphan",
                Tags.builder().title("Orphan").build(), ExpectedPaths.UNTAGGED_FOLDER + "Orphan");
        // Without a title the file is named by path.untagged, whatever else is tagged.
        track(plan, HardCase.NO_TITLE, TagLayout.FLAC_VORBIS_COMMENT, ROOT + "No Title/01 nameless",
                Tags.builder().artist("Titleless").album("Nameless").track(1, 1).date("1999").build(),
                ExpectedPaths.UNTAGGED_FOLDER + "01 nameless");
    }

    /** Untagged copies of every allowed format, and two files named {@code track07} in different folders. */
    private static void noTags(CorpusPlan plan) {
        String dir = ROOT + "No Tags/";
        for (AudioFormat format : AudioFormat.values()) {
            if (plan.allows(format)) {
                String name = "untagged." + format.extension();
                plan.untagged(HardCase.NO_TAGS.id(), dir + name, format, ExpectedPaths.UNTAGGED_FOLDER + name);
            }
        }
        AudioFormat format = plan.layout(TagLayout.ID3V24).format();
        String extension = format.extension();
        List<String> sources = List.of(dir + "track07." + extension, dir + "Other Folder/track07." + extension);
        ExpectedPaths.collided(sources, "Unknown Artist/Unknown Album", "track07", extension)
                .forEach((source, path) -> plan.untagged(HardCase.NO_TAGS.id(), source, format, path));
    }

    /** The flag with Various Artists, the flag alone, and "various artists" alone all make compilations. */
    private static void compilations(CorpusPlan plan) {
        String dir = ROOT + "Compilations/";
        Tags.Builder now = Tags.builder().albumArtist("Various Artists").album("Now 1").date("1983").compilation(true);
        String nowFolder = "Compilations/Now 1 (1983)/";
        track(plan, HardCase.COMPILATION, TagLayout.MP4_ILST, dir + "Now 1/01 too shy",
                now.artist("Kajagoogoo").title("Too Shy").track(1, 4).build(), nowFolder + "01 - Kajagoogoo - Too Shy");
        track(plan, HardCase.COMPILATION, TagLayout.FLAC_VORBIS_COMMENT, dir + "Now 1/02 billie jean",
                now.artist("Michael Jackson").title("Billie Jean").track(2, 4).build(),
                nowFolder + "02 - Michael Jackson - Billie Jean");
        track(plan, HardCase.COMPILATION, TagLayout.ID3V24, dir + "Now 1/03 karma chameleon",
                now.artist("Culture Club").title("Karma Chameleon").track(3, 4).build(),
                nowFolder + "03 - Culture Club - Karma Chameleon");
        // No artist: the optional "{artist} - " section disappears.
        track(plan, HardCase.COMPILATION, TagLayout.OGG_VORBIS_COMMENT, dir + "Now 1/04 jingle",
                now.artist(null).title("Intro Jingle").track(4, 4).build(), nowFolder + "04 - Intro Jingle");

        Tags.Builder flagOnly = Tags.builder().album("Flag Only Hits").date("1999").compilation(true);
        track(plan, HardCase.COMPILATION, TagLayout.OPUS_TAGS, dir + "Flag Only/01 flagged",
                flagOnly.artist("Flag Bearer").title("Flagged").track(1, 2).build(),
                "Compilations/Flag Only Hits (1999)/01 - Flag Bearer - Flagged");
        track(plan, HardCase.COMPILATION, TagLayout.ID3V23, dir + "Flag Only/02 also flagged",
                flagOnly.artist("Second Flag").title("Also Flagged").track(2, 2).build(),
                "Compilations/Flag Only Hits (1999)/02 - Second Flag - Also Flagged");

        Tags.Builder summer = Tags.builder().albumArtist("various artists").album("Summer Mix").date("2005");
        track(plan, HardCase.COMPILATION, TagLayout.FLAC_VORBIS_COMMENT, dir + "Summer Mix/01 sunny",
                summer.artist("Beach Duo").title("Sunny").track(1, 2).build(),
                "Compilations/Summer Mix (2005)/01 - Beach Duo - Sunny");
        track(plan, HardCase.COMPILATION, TagLayout.AIFF_ID3V24, dir + "Summer Mix/02 waves",
                summer.artist("Surf Trio").title("Waves").track(2, 2).build(),
                "Compilations/Summer Mix (2005)/02 - Surf Trio - Waves");
    }

    /** Discs 1 and 2 of 2 get a disc prefix; disc 1 of 1 does not. */
    private static void multiDisc(CorpusPlan plan) {
        String dir = ROOT + "Multi Disc/Double Live/";
        Tags.Builder live = Tags.builder().artist("Disc Band").albumArtist("Disc Band").album("Double Live")
                .date("1994");
        String folder = "Disc Band/Double Live (1994)/";
        track(plan, HardCase.MULTI_DISC, TagLayout.FLAC_VORBIS_COMMENT, dir + "CD1/01 opening",
                live.title("Opening").track(1, 2).disc(1, 2).build(), folder + "1-01 - Opening");
        track(plan, HardCase.MULTI_DISC, TagLayout.ID3V23, dir + "CD1/02 crowd song",
                live.title("Crowd Song").track(2, 2).disc(1, 2).build(), folder + "1-02 - Crowd Song");
        track(plan, HardCase.MULTI_DISC, TagLayout.MP4_ILST, dir + "CD2/01 encore",
                live.title("Encore").track(1, 2).disc(2, 2).build(), folder + "2-01 - Encore");
        track(plan, HardCase.MULTI_DISC, TagLayout.OGG_VORBIS_COMMENT, dir + "CD2/02 goodnight",
                live.title("Goodnight").track(2, 2).disc(2, 2).build(), folder + "2-02 - Goodnight");
        track(plan, HardCase.MULTI_DISC, TagLayout.OPUS_TAGS, ROOT + "Multi Disc/Single Disc/01 lonely disc",
                Tags.builder().artist("Disc Band").album("Single Disc").date("1995").title("Lonely Disc")
                        .track(1, 1).disc(1, 1).build(),
                "Disc Band/Single Disc (1995)/01 - Lonely Disc");
    }

    /** {@code TRACKNUMBER=3/12} in a Vorbis comment and {@code TRCK 4/12} in ID3 are track 3 and 4. */
    private static void trackOfTotal(CorpusPlan plan) {
        String dir = ROOT + "Track of Total/";
        Tags.Builder fractions = Tags.builder().artist("Number Band").album("Fractions").date("2008");
        track(plan, HardCase.TRACK_OF_TOTAL, TagLayout.FLAC_VORBIS_COMMENT_SLASHED, dir + "three",
                fractions.title("Three of Twelve").track(3, 12).disc(1, 1).build(),
                "Number Band/Fractions (2008)/03 - Three of Twelve");
        track(plan, HardCase.TRACK_OF_TOTAL, TagLayout.ID3V24, dir + "four",
                fractions.title("Four of Twelve").track(4, 12).disc(0, 0).build(),
                "Number Band/Fractions (2008)/04 - Four of Twelve");
        track(plan, HardCase.TRACK_OF_TOTAL, TagLayout.ID3V23, dir + "five",
                fractions.title("Five of Twelve").track(5, 12).build(),
                "Number Band/Fractions (2008)/05 - Five of Twelve");
    }

    /** ID3v1.1 alone: 30 Latin-1 bytes per field, track in the last comment byte, genre as an index. */
    private static void id3v1Only(CorpusPlan plan) {
        if (!plan.allows(AudioFormat.MP3)) {
            return;
        }
        String dir = ROOT + "ID3v1/Old Rip - Tape One/";
        Tags.Builder tape = Tags.builder().artist("Old Rip").album("Tape One").date("1999").genre("Rock");
        String folder = "Old Rip/Tape One (1999)/";
        String thirty = "Thirty Characters Exactly Here";
        plan.track(HardCase.ID3V1_ONLY.id(), dir + "01 first.mp3", TagLayout.ID3V1,
                tape.title("First Song").track(1, 0).build(), folder + "01 - First Song.mp3");
        plan.track(HardCase.ID3V1_ONLY.id(), dir + "02 thirty.mp3", TagLayout.ID3V1,
                tape.title(thirty).track(2, 0).build(), folder + "02 - " + thirty + ".mp3");
        plan.track(HardCase.ID3V1_ONLY.id(), dir + "no number.mp3", TagLayout.ID3V1,
                tape.title("No Number").track(0, 0).build(), folder + "No Number.mp3");
    }

    private static void deepFolder(CorpusPlan plan) {
        track(plan, HardCase.DEEP_FOLDER, TagLayout.OGG_VORBIS_COMMENT,
                "Music/old laptop/Backup 2009 (copy)/misc/INCOMING/from usb/[2004] Deep Cuts/CD 1/01 - deep track",
                Tags.builder().artist("Deep Diver").album("Deep Cuts").date("2004").title("Down Here").track(1, 9)
                        .build(),
                "Deep Diver/Deep Cuts (2004)/01 - Down Here");
    }
}
