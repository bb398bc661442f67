package io.musicfs.catalog.internal.tags;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.logging.Level;

import io.musicfs.api.origin.Origin;
import io.musicfs.api.origin.OriginEntry;
import io.musicfs.catalog.internal.TrackTags;

import org.jaudiotagger.audio.AudioFile;
import org.jaudiotagger.audio.AudioFileIO;
import org.jaudiotagger.audio.AudioHeader;
import org.jaudiotagger.audio.mp3.MP3File;
import org.jaudiotagger.tag.FieldKey;
import org.jaudiotagger.tag.Tag;
import org.jaudiotagger.tag.TagField;
import org.jaudiotagger.tag.aiff.AiffTag;
import org.jaudiotagger.tag.wav.WavTag;
import org.jaudiotagger.tag.id3.AbstractID3v2Frame;
import org.jaudiotagger.tag.id3.AbstractID3v2Tag;
import org.jaudiotagger.tag.id3.ID3v22Tag;
import org.jaudiotagger.tag.id3.framebody.FrameBodyTXXX;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the tags of one origin file from a few ranged reads, never the whole file.
 *
 * <p>The file's extension names the container it must be ({@link AudioContainer}). A per-format
 * layout walks the file's structures through a {@link RangeFetcher}, which fetches only the bytes
 * the walk touches: FLAC metadata blocks and Ogg header pages are parsed here directly (their
 * tags are a Vorbis comment); for MP3, MP4, WAV and AIFF the fetched ranges are written into a
 * sparse temporary file of the original length (holes everywhere else) that jaudiotagger reads.
 * The layouts validate every size before anything is allocated, so what jaudiotagger then sees is
 * structurally sound; whatever it still throws (including {@link StackOverflowError}) makes the
 * file unreadable, never escapes.
 *
 * <p>Thread-safe and stateless apart from its work directory: any number of threads may read at
 * once, each on its own temporary file.
 */
public final class TagReader {

    /** Bumped when reading improves so that files read by an older reader are read again. */
    public static final int VERSION = 1;

    /** What one file's tags may cost in origin bytes (and memory): a sane cap far above any real tag. */
    static final long MAX_FETCH_BYTES = 32L * 1024 * 1024;
    /** The first read of every file: most files' tags sit entirely in their first 64 KiB. */
    static final int HEAD_BYTES = 64 * 1024;
    /** How far a structure walk reads past a header it needs: a round trip costs more than 32 KiB. */
    static final int READAHEAD_BYTES = 32 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger(TagReader.class);
    private static final String TEMP_PREFIX = "tags-";

    /** Held so the level set on it sticks: java.util.logging keeps loggers only weakly. */
    private static final java.util.logging.Logger JAUDIOTAGGER_LOG =
            java.util.logging.Logger.getLogger("org.jaudiotagger");

    static {
        // jaudiotagger reports every oddity of every file at WARNING or SEVERE through
        // java.util.logging; our result names the one problem that matters
        JAUDIOTAGGER_LOG.setLevel(Level.OFF);
    }

    private final Path workDir;

    /**
     * @param workDir where the sparse temporary copies go (created when missing); leftovers of a
     *     crashed run are removed here
     */
    public TagReader(Path workDir) throws IOException {
        this.workDir = Files.createDirectories(workDir);
        try (DirectoryStream<Path> leftovers = Files.newDirectoryStream(workDir, TEMP_PREFIX + "*")) {
            for (Path p : leftovers) {
                Files.deleteIfExists(p);
            }
        }
    }

    /**
     * Reads one file's tags.
     *
     * @param entry the file as the origin listed it; its size bounds every read
     * @return the tags, or an unreadable result saying why (the file is not the audio its
     *     extension says, or its structures are broken or absurd)
     * @throws IOException when the origin failed to deliver bytes (the file may be fine: try again
     *     later), or the work directory failed; {@link java.nio.file.NoSuchFileException} when the
     *     file is gone
     */
    public TagReadResult read(Origin origin, OriginEntry entry) throws IOException {
        AudioContainer container = AudioContainer.forPath(entry.path());
        if (container == null) {
            return TagReadResult.unreadable("its extension is not an audio extension", 0, 0);
        }
        if (entry.size() == 0) {
            return TagReadResult.unreadable("it is empty", 0, 0);
        }
        RangeFetcher f = new RangeFetcher(origin, entry.path(), entry.size(), MAX_FETCH_BYTES, READAHEAD_BYTES);
        try {
            f.fetchAtLeast(0, Math.min(entry.size(), 12), HEAD_BYTES);
            TrackTags tags = switch (container) {
                case FLAC -> FlacLayout.read(f, MAX_FETCH_BYTES).toTrackTags("FLAC");
                case OGG, OPUS -> {
                    OggLayout.Result ogg = OggLayout.read(f, container, READAHEAD_BYTES, MAX_FETCH_BYTES);
                    yield ogg.values().toTrackTags(ogg.format());
                }
                case MP3 -> {
                    Mp3Layout.locate(f, MAX_FETCH_BYTES);
                    yield parseSparseCopy(f, container, origin, entry);
                }
                case MP4 -> {
                    Mp4Layout.locate(f, MAX_FETCH_BYTES);
                    yield parseSparseCopy(f, container, origin, entry);
                }
                case WAV, AIFF -> {
                    IffLayout.locate(f, container == AudioContainer.AIFF, MAX_FETCH_BYTES);
                    yield parseSparseCopy(f, container, origin, entry);
                }
            };
            return TagReadResult.read(tags, f.bytesFetched(), f.requests());
        } catch (UnreadableException e) {
            return TagReadResult.unreadable(e.getMessage(), f.bytesFetched(), f.requests());
        } catch (RuntimeException e) {
            // a layout tripped over input no check foresaw: the file is unreadable, the reader is fine
            LOG.debug("tags: walking {} of origin {} failed", entry.path(), origin.id(), e);
            return TagReadResult.unreadable("its structure could not be walked (" + e + ")", f.bytesFetched(),
                    f.requests());
        }
    }

    /** Writes the fetched ranges into a sparse copy of the file and lets jaudiotagger read that. */
    private TrackTags parseSparseCopy(RangeFetcher f, AudioContainer container, Origin origin, OriginEntry entry)
            throws IOException, UnreadableException {
        Path copy = Files.createTempFile(workDir, TEMP_PREFIX, "." + container.parserExtension);
        try {
            try (RandomAccessFile raf = new RandomAccessFile(copy.toFile(), "rw")) {
                raf.setLength(f.size());
                f.writeTo(raf.getChannel());
            }
            AudioFile file;
            try {
                file = new AudioFileIO().readFileAs(copy.toFile(), container.parserExtension);
            } catch (Exception | StackOverflowError e) {
                if (Thread.currentThread().isInterrupted() || e instanceof java.io.InterruptedIOException
                        || e instanceof java.nio.channels.ClosedByInterruptException) {
                    // cancelled (a deadline passed, shutdown): says nothing about the file
                    throw new java.io.InterruptedIOException("reading the tags of " + entry.path() + " was interrupted");
                }
                LOG.debug("tags: jaudiotagger failed on {} of origin {}", entry.path(), origin.id(), e);
                throw new UnreadableException("its " + container + " structure is invalid: " + describe(e, copy));
            } catch (OutOfMemoryError e) {
                // jaudiotagger allocates what some inner size field claims (an MP4 data atom, a WAV
                // INFO entry) before checking it; such a request fails whole, without taking the
                // memory, so the process is fine and the file is garbage
                LOG.debug("tags: jaudiotagger asked for an absurd allocation on {} of origin {}", entry.path(),
                        origin.id(), e);
                throw new UnreadableException("its " + container + " tags claim an absurd size");
            }
            try {
                return toTrackTags(file, container);
            } catch (RuntimeException | StackOverflowError e) {
                LOG.debug("tags: jaudiotagger failed on the tag fields of {} of origin {}", entry.path(), origin.id(),
                        e);
                throw new UnreadableException("its tag fields could not be decoded: " + describe(e, copy));
            }
        } finally {
            Files.deleteIfExists(copy);
        }
    }

    private static TrackTags toTrackTags(AudioFile file, AudioContainer container) {
        boolean id3 = container != AudioContainer.MP4;
        TagValues values;
        if (file instanceof MP3File mp3) {
            values = values(mp3.getID3v2Tag(), id3);
            if (mp3.hasID3v1Tag()) {
                values.fillFrom(values(mp3.getID3v1Tag(), id3));
            }
        } else {
            values = values(file.getTag(), id3);
        }
        return values.toTrackTags(format(file, container));
    }

    private static String format(AudioFile file, AudioContainer container) {
        return switch (container) {
            case MP3 -> "MP3";
            case WAV -> "WAV";
            case AIFF -> "AIFF";
            case MP4 -> {
                AudioHeader header = file.getAudioHeader();
                String encoding = header == null ? null : header.getEncodingType();
                boolean alac = header != null && (header.isLossless()
                        || (encoding != null && encoding.toUpperCase(java.util.Locale.ROOT).contains("ALAC")));
                yield alac ? "ALAC" : "AAC";
            }
            default -> throw new IllegalArgumentException("not a jaudiotagger container: " + container);
        };
    }

    private static TagValues values(Tag tag, boolean id3Genre) {
        TagValues v = new TagValues();
        v.id3Genre = id3Genre;
        if (tag == null) {
            return v;
        }
        v.albumArtist = first(tag, FieldKey.ALBUM_ARTIST);
        v.artist = first(tag, FieldKey.ARTIST);
        v.album = first(tag, FieldKey.ALBUM);
        v.title = first(tag, FieldKey.TITLE);
        v.track = first(tag, FieldKey.TRACK);
        v.trackTotal = first(tag, FieldKey.TRACK_TOTAL);
        v.disc = first(tag, FieldKey.DISC_NO);
        v.discTotal = first(tag, FieldKey.DISC_TOTAL);
        v.date = first(tag, FieldKey.YEAR);
        v.genre = first(tag, FieldKey.GENRE);
        v.composer = first(tag, FieldKey.COMPOSER);
        v.compilation = first(tag, FieldKey.IS_COMPILATION);
        AbstractID3v2Tag id3 = id3Of(tag);
        if (TagValues.clean(v.compilation) == null && id3 != null) {
            v.compilation = userText(id3, "TCMP", "COMPILATION"); // how ffmpeg and some taggers write the flag
        }
        return v;
    }

    /** @return the ID3v2 tag itself or the one inside a WAV or AIFF tag, or {@code null} */
    private static AbstractID3v2Tag id3Of(Tag tag) {
        if (tag instanceof AbstractID3v2Tag id3) {
            return id3;
        }
        if (tag instanceof AiffTag aiff && aiff.isExistingId3Tag()) {
            return aiff.getID3Tag();
        }
        if (tag instanceof WavTag wav && wav.isExistingId3Tag()) {
            return wav.getID3Tag();
        }
        return null;
    }

    /** @return the text of the first TXXX frame with one of the descriptions (case ignored), or {@code null} */
    private static String userText(AbstractID3v2Tag tag, String... descriptions) {
        try {
            for (TagField field : tag.getFields(tag instanceof ID3v22Tag ? "TXX" : "TXXX")) {
                if (field instanceof AbstractID3v2Frame frame && frame.getBody() instanceof FrameBodyTXXX body) {
                    for (String d : descriptions) {
                        if (d.equalsIgnoreCase(TagValues.clean(body.getDescription()))) {
                            return body.getFirstTextValue();
                        }
                    }
                }
            }
        } catch (RuntimeException e) {
            // an undecodable frame: no flag
        }
        return null;
    }

    /** One field, or {@code null} where the tag type has no such field or cannot decode it. */
    private static String first(Tag tag, FieldKey key) {
        try {
            return tag.getFirst(key);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** One line for the problem column and the log; the temporary copy's name means nothing to a user. */
    private static String describe(Throwable e, Path copy) {
        String message = e.getMessage();
        String text = e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
        text = text.replace(copy.toString(), "the file").replace(copy.getFileName().toString(), "the file");
        return text.length() > 300 ? text.substring(0, 300) + "..." : text;
    }
}
