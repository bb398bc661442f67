package io.musicfs.testkit.corpus;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;

/**
 * Plans the bulk of a corpus the way a real collection looks: albums of 8 to 14 tracks by a pool of
 * artists (so artists have several albums), about one in ten on two discs, about one in twelve a
 * compilation, mostly one format per album but some mixed, MP3s cycling through the ID3 writers, in
 * a messy mix of folder schemes, with a cover image in some album folders. Tags are plain ASCII, so
 * {@link ExpectedPaths#forPlainTags} gives the expected paths. Not thread-safe.
 */
final class BulkLibrary {

    private static final int MIN_ALBUM_TRACKS = 8;
    private static final int MAX_ALBUM_TRACKS = 14;
    private static final int MEAN_ALBUM_TRACKS = 11;
    private static final int ALBUMS_PER_ARTIST = 3;
    private static final int COVER_EVERY_N_ALBUMS = 6;

    private final CorpusPlan plan;
    private final Random random;
    private final Names names;
    private final List<AudioFormat> formats;
    private final List<String> artists = new ArrayList<>();
    private final Set<String> albumKeys = new HashSet<>();
    private int mp3Count;
    private int wavCount;

    private BulkLibrary(CorpusPlan plan, List<AudioFormat> formats, Random random) {
        this.plan = plan;
        this.random = random;
        this.names = new Names(random);
        this.formats = formats;
    }

    static void plan(CorpusPlan plan, CorpusSpec spec, Random random) {
        new BulkLibrary(plan, new ArrayList<>(spec.formats()), random).planTracks(spec.tracks());
    }

    private void planTracks(int tracks) {
        Set<String> seen = new HashSet<>();
        int poolSize = Math.max(3, tracks / MEAN_ALBUM_TRACKS / ALBUMS_PER_ARTIST);
        for (int attempts = 0; artists.size() < poolSize && attempts < poolSize * 20; attempts++) {
            String artist = names.artist();
            if (seen.add(artist)) {
                artists.add(artist);
            }
        }
        int remaining = tracks;
        for (int albumIndex = 0; remaining > 0; albumIndex++) {
            int size = Math.min(remaining, MIN_ALBUM_TRACKS + random.nextInt(MAX_ALBUM_TRACKS - MIN_ALBUM_TRACKS + 1));
            remaining -= size;
            planAlbum(albumIndex, size);
        }
    }

    private void planAlbum(int albumIndex, int size) {
        boolean compilation = random.nextInt(12) == 0;
        boolean flagged = compilation && random.nextInt(6) != 0;
        int discs = size >= MIN_ALBUM_TRACKS && random.nextInt(10) == 0 ? 2 : 1;
        String artist = pick(artists);
        String album = uniqueAlbum(compilation ? "Various Artists" : artist);
        String year = random.nextInt(12) == 0 ? null : Integer.toString(1965 + random.nextInt(59));
        String date = year != null && random.nextInt(7) == 0
                ? String.format(Locale.ROOT, "%s-%02d-%02d", year, 1 + random.nextInt(12), 1 + random.nextInt(28))
                : year;
        String genre = names.genre();
        String composer = random.nextInt(3) == 0 ? names.person() : null;
        boolean albumArtistTag = compilation || random.nextInt(5) < 3;
        boolean discOfOneTag = discs == 1 && random.nextInt(3) == 0;
        AudioFormat albumFormat = pick(formats);
        boolean mixedFormats = random.nextInt(10) == 0;
        SourceScheme scheme = compilation ? (random.nextBoolean() ? SourceScheme.COMPILATIONS : SourceScheme.VA)
                : SourceScheme.NORMAL.get(random.nextInt(SourceScheme.NORMAL.size()));

        Set<String> titles = new HashSet<>();
        int[] perDisc = discs == 1 ? new int[] {size} : new int[] {(size + 1) / 2, size / 2};
        for (int disc = 1; disc <= discs; disc++) {
            for (int track = 1; track <= perDisc[disc - 1]; track++) {
                String title = names.title();
                while (!titles.add(title.toLowerCase(Locale.ROOT))) {
                    title = names.title() + " " + track;
                }
                String trackArtist = compilation ? pick(artists)
                        : albumArtistTag && random.nextInt(10) == 0 ? artist + " feat. " + pick(artists) : artist;
                Tags tags = Tags.builder().artist(trackArtist)
                        .albumArtist(compilation ? "Various Artists" : albumArtistTag ? artist : null)
                        .album(album).title(title).track(track, perDisc[disc - 1])
                        .disc(discs > 1 || discOfOneTag ? disc : 0, discs > 1 || discOfOneTag ? discs : 0)
                        .date(date).genre(genre).composer(composer).compilation(flagged).build();
                AudioFormat format = mixedFormats ? pick(formats) : albumFormat;
                TagLayout layout = layout(format, tags);
                String source = scheme.path(artist, album, year, discs > 1 ? disc : 0, track, trackArtist, title,
                        format.extension());
                plan.track(Corpus.BULK_CASE, source, layout, tags,
                        ExpectedPaths.forPlainTags(tags, format.extension()));
            }
        }
        String folder = scheme.albumFolder(artist, album, year);
        if (folder != null && albumIndex % COVER_EVERY_N_ALBUMS == 0) {
            byte[] cover = NonAudio.coverJpeg(random);
            plan.absentFile(Corpus.BULK_CASE, folder + "/cover.jpg", out -> out.write(cover));
        }
    }

    /** An album title no other album of {@code artist} has, ignoring case. */
    private String uniqueAlbum(String artist) {
        String album = names.album();
        for (int n = 2; !albumKeys.add((artist + "/" + album).toLowerCase(Locale.ROOT)); n++) {
            album = names.album() + " " + n;
        }
        return album;
    }

    /**
     * MP3s cycle through ID3v2.3 and ID3v2.4, one in three with an ID3v1 tail as well; half the WAVs
     * whose path INFO can give get an INFO chunk besides their ID3 chunk.
     */
    private TagLayout layout(AudioFormat format, Tags tags) {
        if (format == AudioFormat.WAV) {
            return WavTagWriter.infoHoldsPath(tags) && wavCount++ % 2 == 0 ? TagLayout.RIFF_INFO_ID3V23
                    : TagLayout.WAV_ID3V23;
        }
        if (format != AudioFormat.MP3) {
            return TagLayout.defaultFor(format);
        }
        int n = mp3Count++;
        boolean v1 = n % 3 == 0;
        if (n % 2 == 0) {
            return v1 ? TagLayout.ID3V23_ID3V1 : TagLayout.ID3V23;
        }
        return v1 ? TagLayout.ID3V24_ID3V1 : TagLayout.ID3V24;
    }

    private <T> T pick(List<T> list) {
        return list.get(random.nextInt(list.size()));
    }
}
