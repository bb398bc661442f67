package io.musicfs.testkit.corpus;

import static io.musicfs.testkit.corpus.HardCases.ROOT;
import static io.musicfs.testkit.corpus.HardCases.track;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Hard cases about names: unicode through every tag writer, characters names cannot hold, leading
 * dots, the 255-byte cut, case variants of one artist, duplicate titles and extension case.
 */
final class NamingCases {

    private NamingCases() {
    }

    static void plan(CorpusPlan plan) {
        unicode(plan);
        reservedCharacters(plan);
        leadingDot(plan);
        longNames(plan);
        artistCaseVariants(plan);
        duplicateTitles(plan);
        extensionCase(plan);
    }

    private static void unicode(CorpusPlan plan) {
        String cjk = ROOT + "Unicode/坂本龍一 - 音楽図鑑/";
        Tags.Builder album = Tags.builder().artist("坂本龍一").albumArtist("坂本龍一").album("音楽図鑑").date("1984");
        String[] titles = {"東京", "京都", "大阪", "札幌", "那覇", "名古屋", "北京", "上海"};
        TagLayout[] layouts = {TagLayout.FLAC_VORBIS_COMMENT, TagLayout.ID3V23, TagLayout.ID3V24, TagLayout.MP4_ILST,
                TagLayout.OPUS_TAGS, TagLayout.OGG_VORBIS_COMMENT, TagLayout.RIFF_INFO_ID3V23, TagLayout.AIFF_ID3V24};
        for (int i = 0; i < titles.length; i++) {
            String nn = String.format(Locale.ROOT, "%02d", i + 1);
            track(plan, HardCase.UNICODE_CJK, layouts[i], cjk + nn + " " + titles[i],
                    album.title(titles[i]).track(i + 1, titles.length).build(),
                    "坂本龍一/音楽図鑑 (1984)/" + nn + " - " + titles[i]);
        }

        String rtl = ROOT + "Unicode/Right to left/";
        Tags.Builder arabic = Tags.builder().artist("فيروز").album("أغاني الصباح").date("1972");
        track(plan, HardCase.UNICODE_RTL, TagLayout.OGG_VORBIS_COMMENT, rtl + "fairuz 1",
                arabic.title("سلام").track(1, 2).build(), "فيروز/أغاني الصباح (1972)/01 - سلام");
        track(plan, HardCase.UNICODE_RTL, TagLayout.ID3V23, rtl + "fairuz 2",
                arabic.title("نهاد").track(2, 2).build(), "فيروز/أغاني الصباح (1972)/02 - نهاد");
        Tags.Builder hebrew = Tags.builder().artist("עידן רייכל").album("שירים").date("2005");
        track(plan, HardCase.UNICODE_RTL, TagLayout.FLAC_VORBIS_COMMENT, rtl + "idan 1",
                hebrew.title("שלום").track(1, 2).build(), "עידן רייכל/שירים (2005)/01 - שלום");
        track(plan, HardCase.UNICODE_RTL, TagLayout.MP4_ILST, rtl + "idan 2",
                hebrew.title("בוקר טוב").track(2, 2).build(), "עידן רייכל/שירים (2005)/02 - בוקר טוב");

        String emoji = ROOT + "Unicode/Emoji/";
        Tags.Builder party = Tags.builder().artist("Emoji Band 🎸").album("Party 🎉🎉").date("2016");
        String partyFolder = "Emoji Band 🎸/Party 🎉🎉 (2016)/";
        track(plan, HardCase.UNICODE_EMOJI, TagLayout.ID3V23, emoji + "01 dance",
                party.title("Dance 💃🕺").track(1, 4).build(), partyFolder + "01 - Dance 💃🕺");
        track(plan, HardCase.UNICODE_EMOJI, TagLayout.FLAC_VORBIS_COMMENT, emoji + "02 fire",
                party.title("Fire 🔥").track(2, 4).build(), partyFolder + "02 - Fire 🔥");
        track(plan, HardCase.UNICODE_EMOJI, TagLayout.MP4_ILST, emoji + "03 rocket",
                party.title("Rocket 🚀").track(3, 4).build(), partyFolder + "03 - Rocket 🚀");
        track(plan, HardCase.UNICODE_EMOJI, TagLayout.OPUS_TAGS, emoji + "04 heart",
                party.title("Heart ❤️").track(4, 4).build(), partyFolder + "04 - Heart ❤️");
    }

    /** Every character a name cannot hold becomes {@code _}; control characters vanish; {@code ..} cannot climb. */
    private static void reservedCharacters(CorpusPlan plan) {
        String dir = ROOT + "Reserved Characters/";
        Tags.Builder acdc = Tags.builder().artist("AC/DC").album("Who: Are? You*").date("1980");
        String acdcFolder = "AC_DC/Who_ Are_ You_ (1980)/";
        track(plan, HardCase.RESERVED_CHARACTERS, TagLayout.FLAC_VORBIS_COMMENT, dir + "acdc 1",
                acdc.title("Back\\Forth \"Live\" <Edit> |2|").track(1, 4).build(),
                acdcFolder + "01 - Back_Forth _Live_ _Edit_ _2_");
        track(plan, HardCase.RESERVED_CHARACTERS, TagLayout.ID3V24, dir + "acdc 2",
                acdc.title("Bell\u0007Ring").track(2, 4).build(), acdcFolder + "02 - BellRing");
        track(plan, HardCase.RESERVED_CHARACTERS, TagLayout.OGG_VORBIS_COMMENT, dir + "acdc 3",
                acdc.title("Del\u007Fete\u001F").track(3, 4).build(), acdcFolder + "03 - Delete");
        track(plan, HardCase.RESERVED_CHARACTERS, TagLayout.MP4_ILST, dir + "acdc 4",
                acdc.title("Up..and Down").track(4, 4).build(), acdcFolder + "04 - Up..and Down");
        // "../../etc": '/' becomes '_' and the leading dot becomes '_'; "...And Justice" keeps its inner dots.
        track(plan, HardCase.RESERVED_CHARACTERS, TagLayout.ID3V23, dir + "climb",
                Tags.builder().artist("../../etc").album("...And Justice").date("1988").title("One/Two: Three?")
                        .track(1, 1).build(),
                "_._.._etc/_..And Justice (1988)/01 - One_Two_ Three_");
    }

    private static void leadingDot(CorpusPlan plan) {
        track(plan, HardCase.LEADING_DOT, TagLayout.FLAC_VORBIS_COMMENT, ROOT + "Leading Dot/hidden meaning",
                Tags.builder().artist("Dot Band").album("Dotted").date("2011").title(".Hidden Meaning").build(),
                "Dot Band/Dotted (2011)/_Hidden Meaning");
    }

    /** Names over 255 bytes are cut between characters, a file's extension kept. */
    private static void longNames(CorpusPlan plan) {
        String dir = ROOT + "Long Names/";
        Tags.Builder album = Tags.builder().artist("Long Names").album("Far Too Long").date("2020");
        // 'A' shifts the 3-byte characters so that byte 255 of the name falls inside one.
        String cjkTitle = "A" + "長".repeat(100);
        TagLayout cjkLayout = plan.layout(TagLayout.FLAC_VORBIS_COMMENT);
        String cjkExtension = cjkLayout.format().extension();
        plan.track(HardCase.LONG_NAMES.id(), dir + "01 long cjk." + cjkExtension, cjkLayout,
                album.title(cjkTitle).track(1, 2).build(),
                "Long Names/Far Too Long (2020)/" + ExpectedPaths.fileName("01 - " + cjkTitle, cjkExtension));
        // Four-byte emoji are surrogate pairs in Java and in UTF-16 ID3v2.3 frames.
        String emojiTitle = "🎵".repeat(70);
        TagLayout emojiLayout = plan.layout(TagLayout.ID3V23);
        String emojiExtension = emojiLayout.format().extension();
        plan.track(HardCase.LONG_NAMES.id(), dir + "02 long emoji." + emojiExtension, emojiLayout,
                album.title(emojiTitle).track(2, 2).build(),
                "Long Names/Far Too Long (2020)/" + ExpectedPaths.fileName("02 - " + emojiTitle, emojiExtension));
        // A folder name has no extension to keep: 200 two-byte omegas are cut to 127.
        String longAlbum = "Ω".repeat(200);
        track(plan, HardCase.LONG_NAMES, TagLayout.OGG_VORBIS_COMMENT, dir + "03 long album",
                Tags.builder().artist("Long Names").album(longAlbum).title("Short").track(3, 3).build(),
                "Long Names/" + ExpectedPaths.cut(longAlbum, ExpectedPaths.MAX_NAME_BYTES) + "/03 - Short");
    }

    /** One folder for spellings that differ in case and outer spaces, named by the majority (3 of 5). */
    private static void artistCaseVariants(CorpusPlan plan) {
        String dir = ROOT + "Case Variants/Abbey Road/";
        String[][] tracks = {
            {"The Beatles", "Come Together"},
            {"the beatles", "Something"},
            {"THE BEATLES ", "Maxwell's Silver Hammer"},
            {"The Beatles", "Oh! Darling"},
            {"The Beatles", "Octopus's Garden"},
        };
        TagLayout[] layouts = {TagLayout.FLAC_VORBIS_COMMENT, TagLayout.ID3V24, TagLayout.OGG_VORBIS_COMMENT,
                TagLayout.MP4_ILST, TagLayout.OPUS_TAGS};
        for (int i = 0; i < tracks.length; i++) {
            String nn = String.format(Locale.ROOT, "%02d", i + 1);
            track(plan, HardCase.ARTIST_CASE_VARIANTS, layouts[i], dir + nn + " " + tracks[i][1],
                    Tags.builder().artist(tracks[i][0]).album("Abbey Road").date("1969").title(tracks[i][1])
                            .track(i + 1, 17).build(),
                    "The Beatles/Abbey Road (1969)/" + nn + " - " + tracks[i][1]);
        }
    }

    /** Three files of one album tagged track 5, "Intro": the first by relative path keeps the name. */
    private static void duplicateTitles(CorpusPlan plan) {
        TagLayout layout = plan.layout(TagLayout.FLAC_VORBIS_COMMENT);
        String extension = layout.format().extension();
        String dir = ROOT + "Duplicates/Echo Chamber - Reflections/";
        List<String> sources = List.of(dir + "05 Intro." + extension, dir + "05 Intro (alt)." + extension,
                dir + "05 Intro (remaster)." + extension);
        Tags tags = Tags.builder().artist("Echo Chamber").album("Reflections").date("2003").title("Intro")
                .track(5, 10).build();
        Map<String, String> expected = ExpectedPaths.collided(sources, "Echo Chamber/Reflections (2003)", "05 - Intro",
                extension);
        expected.forEach((source, path) -> plan.track(HardCase.DUPLICATE_TITLES.id(), source, layout, tags, path));
    }

    /** The extension in a name is lower case whatever the file's; {@code .aif} stays {@code .aif}. */
    private static void extensionCase(CorpusPlan plan) {
        String dir = ROOT + "Extensions/";
        Tags.Builder caps = Tags.builder().artist("Loud Band").album("Caps").date("2010");
        TagLayout loud = plan.layout(TagLayout.FLAC_VORBIS_COMMENT);
        String extension = loud.format().extension();
        plan.track(HardCase.EXTENSION_CASE.id(), dir + "LOUD." + extension.toUpperCase(Locale.ROOT), loud,
                caps.title("Loud").track(1, 2).build(), "Loud Band/Caps (2010)/01 - Loud." + extension);
        if (plan.allows(AudioFormat.AIFF)) {
            plan.track(HardCase.EXTENSION_CASE.id(), dir + "short.aif", TagLayout.AIFF_ID3V24,
                    caps.title("Short").track(2, 2).build(), "Loud Band/Caps (2010)/02 - Short.aif");
        }
    }
}
