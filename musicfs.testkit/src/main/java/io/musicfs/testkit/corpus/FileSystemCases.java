package io.musicfs.testkit.corpus;

import static io.musicfs.testkit.corpus.HardCases.ROOT;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Hard cases about files rather than tags: empty, truncated and random files with audio extensions
 * (listed as untagged), non-audio files, hidden files and folders (never listed), and symbolic links
 * to a file, to a folder, to nothing and to an ancestor.
 *
 * <p>Symbolic links: a linked file or folder is listed once per origin path that reaches it, each
 * path under the file's tags, so the link and its target collide and the later relative path (by
 * code points: {@code Hard Cases/...} before {@code Links/...}) gets {@code (2)}. A loop is skipped
 * as a whole: nothing under {@code Links/Loop} is listed.
 */
final class FileSystemCases {

    private static final String BROKEN = ROOT + "Broken/";
    private static final String LINKS = "Links/";
    private static final int RANDOM_FILE_BYTES = 8192;

    private FileSystemCases() {
    }

    static void plan(CorpusPlan plan, Random random) {
        emptyTruncatedAndRandom(plan, random);
        nonAudio(plan, random);
        hidden(plan);
        symlinks(plan);
    }

    private static void emptyTruncatedAndRandom(CorpusPlan plan, Random random) {
        for (String name : List.of("empty.flac", "empty.mp3")) {
            plan.unreadable(HardCase.ZERO_BYTE.id(), BROKEN + name, out -> { }, ExpectedPaths.UNTAGGED_FOLDER + name);
        }
        // Cut inside the tags, so that not even a tolerant reader finds a title.
        Tags tags = Tags.builder().artist("Cut Short").album("Interrupted").title("Never Finished").track(1, 1).build();
        truncated(plan, TagLayout.FLAC_VORBIS_COMMENT, tags, "TITLE=", 3);
        truncated(plan, TagLayout.ID3V24, tags, "TIT2", 6);
        if (plan.allows(AudioFormat.M4A)) {
            plan.unreadable(HardCase.TRUNCATED.id(), BROKEN + "truncated.m4a", out -> {
                byte[] whole = plan.tagged(TagLayout.MP4_ILST, tags);
                out.write(whole, 0, indexOf(whole, "moov", true) / 2);
            }, ExpectedPaths.UNTAGGED_FOLDER + "truncated.m4a");
        }

        byte[] noise = new byte[RANDOM_FILE_BYTES];
        random.nextBytes(noise);
        noise[0] = 0; // neither "ID3" at the head
        noise[noise.length - 128] = 0; // nor "TAG" at the tail
        plan.unreadable(HardCase.RANDOM_BYTES.id(), BROKEN + "random.mp3", out -> out.write(noise),
                ExpectedPaths.UNTAGGED_FOLDER + "random.mp3");
    }

    private static void truncated(CorpusPlan plan, TagLayout layout, Tags tags, String marker, int intoMarker) {
        if (!plan.allows(layout.format())) {
            return;
        }
        String name = "truncated." + layout.format().extension();
        plan.unreadable(HardCase.TRUNCATED.id(), BROKEN + name, out -> {
            byte[] whole = plan.tagged(layout, tags);
            out.write(whole, 0, indexOf(whole, marker, false) + intoMarker);
        }, ExpectedPaths.UNTAGGED_FOLDER + name);
    }

    private static void nonAudio(CorpusPlan plan, Random random) {
        String dir = ROOT + "Non Audio/";
        byte[] cover = NonAudio.coverJpeg(random);
        plan.absentFile(HardCase.NON_AUDIO.id(), dir + "cover.jpg", out -> out.write(cover));
        plan.absentFile(HardCase.NON_AUDIO.id(), dir + "notes.txt",
                out -> out.write(NonAudio.text("Ripped from the original CD, 2009.\n")));
        plan.absentFile(HardCase.NON_AUDIO.id(), dir + "Live at Home.cue", out -> out.write(NonAudio.text(
                "PERFORMER \"Cue Band\"\nTITLE \"Live at Home\"\nFILE \"Live at Home.flac\" WAVE\n"
                        + "  TRACK 01 AUDIO\n    TITLE \"Opening\"\n    INDEX 01 00:00:00\n")));
    }

    private static void hidden(CorpusPlan plan) {
        String dir = ROOT + "Hidden/";
        TagLayout layout = plan.layout(TagLayout.FLAC_VORBIS_COMMENT);
        String extension = layout.format().extension();
        Tags.Builder seen = Tags.builder().artist("Hidden Band").album("Seen").date("2012");
        plan.track(HardCase.HIDDEN_FILE.id(), dir + "01 Visible." + extension, layout,
                seen.title("Visible").track(1, 2).build(), "Hidden Band/Seen (2012)/01 - Visible." + extension);
        Tags unseen = seen.title("Unseen").track(2, 2).build();
        plan.absentFile(HardCase.HIDDEN_FILE.id(), dir + ".hidden." + extension,
                out -> out.write(plan.tagged(layout, unseen)));

        TagLayout secretLayout = plan.layout(TagLayout.ID3V24);
        Tags secret = Tags.builder().artist("Hidden Band").album("Secrets").title("Secret").track(1, 1).build();
        plan.absentFile(HardCase.HIDDEN_DIRECTORY.id(),
                dir + ".git/objects/02 Secret." + secretLayout.format().extension(),
                out -> out.write(plan.tagged(secretLayout, secret)));
        TagLayout stashLayout = plan.layout(TagLayout.OPUS_TAGS);
        Tags stashed = Tags.builder().artist("Hidden Band").album("Stash").title("Stashed").track(1, 1).build();
        plan.absentFile(HardCase.HIDDEN_DIRECTORY.id(), ".stash/01 Stashed." + stashLayout.format().extension(),
                out -> out.write(plan.tagged(stashLayout, stashed)));
    }

    private static void symlinks(CorpusPlan plan) {
        String dir = ROOT + "Symlinks/";
        TagLayout songLayout = plan.layout(TagLayout.OGG_VORBIS_COMMENT);
        String songExtension = songLayout.format().extension();
        String target = dir + "Target/01 Linked Song." + songExtension;
        String link = LINKS + "favourite song." + songExtension;
        Tags song = Tags.builder().artist("Link Band").album("Link Album").date("2015").title("Linked Song")
                .track(1, 1).build();
        Map<String, String> songPaths = ExpectedPaths.collided(List.of(target, link), "Link Band/Link Album (2015)",
                "01 - Linked Song", songExtension);
        plan.track(HardCase.SYMLINK_FILE.id(), target, songLayout, song, songPaths.get(target));
        plan.symlink(link, "../" + target);
        plan.alias(HardCase.SYMLINK_FILE.id(), link, target, songPaths.get(link));

        String album = dir + "Linked Album/";
        String albumLink = LINKS + "Album Link/";
        plan.symlink(LINKS + "Album Link", "../" + album.substring(0, album.length() - 1));
        String[] titles = {"One", "Two"};
        TagLayout[] layouts = {TagLayout.FLAC_VORBIS_COMMENT, TagLayout.ID3V23};
        for (int i = 0; i < titles.length; i++) {
            TagLayout layout = plan.layout(layouts[i]);
            String extension = layout.format().extension();
            String name = "0" + (i + 1) + " " + titles[i] + "." + extension;
            Map<String, String> paths = ExpectedPaths.collided(List.of(album + name, albumLink + name),
                    "Folder Link/Linked Album (2016)", "0" + (i + 1) + " - " + titles[i], extension);
            plan.track(HardCase.SYMLINK_DIRECTORY.id(), album + name, layout,
                    Tags.builder().artist("Folder Link").album("Linked Album").date("2016").title(titles[i])
                            .track(i + 1, 2).build(),
                    paths.get(album + name));
            plan.alias(HardCase.SYMLINK_DIRECTORY.id(), albumLink + name, album + name, paths.get(albumLink + name));
        }

        plan.symlink(LINKS + "broken.flac", "../" + dir + "missing.flac");
        plan.absent(HardCase.BROKEN_SYMLINK.id(), LINKS + "broken.flac");
        // Links/Loop is the origin's root again: a walker that followed it would list this path.
        plan.symlink(LINKS + "Loop", "..");
        plan.absent(HardCase.SYMLINK_LOOP.id(), LINKS + "Loop/" + target);
    }

    /** @return where {@code marker} first (or, {@code last}, last) occurs in a tagged file */
    private static int indexOf(byte[] bytes, String marker, boolean last) {
        byte[] m = marker.getBytes(StandardCharsets.US_ASCII);
        for (int n = 0; n <= bytes.length - m.length; n++) {
            int i = last ? bytes.length - m.length - n : n;
            if (Arrays.equals(bytes, i, i + m.length, m, 0, m.length)) {
                return i;
            }
        }
        throw new IllegalStateException("marker '" + marker + "' not in a tagged file");
    }
}
