package io.musicfs.testkit.corpus;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The untagged audio every generated file is copied from: one second of a mono 22.05 kHz tone per
 * format, encoded once by the real encoder, and noise-filled FLAC files for large tracks. Templates
 * are cached as files named by a key over the recipe and the encoder binary (path, size, mtime), so
 * a changed recipe or an upgraded encoder makes a new template instead of reusing a stale one;
 * several JVMs may build the same template at once (each moves its own file into place
 * atomically). Methods are synchronized: one instance serves generator threads.
 */
final class Templates {

    /** System property naming the cache directory; default {@code ${java.io.tmpdir}/musicfs-testkit-templates}. */
    static final String CACHE_PROPERTY = "musicfs.testkit.templates";
    /** Bump when a recipe changes in a way the command line does not show. */
    private static final int RECIPE_VERSION = 2;
    private static final int SAMPLE_RATE = 22_050;
    private static final int SAMPLES = SAMPLE_RATE;
    private static final double TONE_HERTZ = 440;
    private static final int LARGE_SAMPLE_RATE = 44_100;
    private static final int LARGE_CHANNELS = 2;
    /** Noise PCM is made this fraction of the wanted size; FLAC adds well under 1 %, padding fills the rest. */
    private static final double LARGE_PCM_FRACTION = 0.98;
    private static final long ENCODER_TIMEOUT_MINUTES = 5;
    private static final String IN = "{in}";
    private static final String OUT = "{out}";

    private final Path cacheDir;
    private final String searchPath;
    private final Map<AudioFormat, byte[]> untagged = new EnumMap<>(AudioFormat.class);

    /**
     * @param cacheDir where templates are kept between runs
     * @param searchPath where encoders are looked for, in the form of {@code PATH}
     */
    Templates(Path cacheDir, String searchPath) {
        this.cacheDir = cacheDir;
        this.searchPath = searchPath;
    }

    /** @return templates cached in the directory of {@link #CACHE_PROPERTY}, encoders from {@code PATH} */
    static Templates shared() {
        return Shared.INSTANCE;
    }

    /** @return the untagged template of {@code format}, built by its encoder if not cached */
    synchronized byte[] untagged(AudioFormat format) throws IOException {
        byte[] bytes = untagged.get(format);
        if (bytes == null) {
            Recipe recipe = Recipe.of(format);
            Path file = cached(format.id(), format.extension(), recipe, "tone " + SAMPLE_RATE + " " + SAMPLES,
                    wav -> SourceAudio.writeTone(wav, SAMPLE_RATE, SAMPLES, TONE_HERTZ), format);
            bytes = Files.readAllBytes(file);
            untagged.put(format, bytes);
        }
        return bytes;
    }

    /**
     * @return a FLAC file of seeded noise (seed {@code index}) whose audio is a little smaller than
     *         {@code totalBytes}, so that tags and one padding block bring it to exactly that size
     */
    synchronized Path largeFlac(long totalBytes, int index) throws IOException {
        long pcmBytes = (long) (totalBytes * LARGE_PCM_FRACTION) / (2L * LARGE_CHANNELS) * (2L * LARGE_CHANNELS);
        String source = "noise " + LARGE_SAMPLE_RATE + " " + LARGE_CHANNELS + " " + pcmBytes + " " + index;
        return cached("large-" + totalBytes + "-" + index, "flac", Recipe.LARGE_FLAC, source,
                wav -> SourceAudio.writeNoise(wav, LARGE_SAMPLE_RATE, LARGE_CHANNELS, pcmBytes, index),
                AudioFormat.FLAC);
    }

    private Path cached(String name, String extension, Recipe recipe, String source, SourceWriter sourceWriter,
                        AudioFormat format) throws IOException {
        Path tool = find(recipe, format);
        String key = key(RECIPE_VERSION + "\n" + recipe.command + "\n" + source + "\n" + tool + "\n"
                + Files.size(tool) + "\n" + Files.getLastModifiedTime(tool).toMillis());
        Path file = cacheDir.resolve(name + "-" + key + "." + extension);
        if (Files.isRegularFile(file)) {
            return file;
        }
        Files.createDirectories(cacheDir);
        Path work = Files.createTempDirectory(cacheDir, "build-");
        try {
            Path wav = work.resolve("source.wav");
            Path encoded = work.resolve("encoded." + extension);
            sourceWriter.write(wav);
            run(recipe.commandLine(tool, wav, encoded), work);
            Files.write(encoded, withoutTags(format, Files.readAllBytes(encoded)));
            Files.move(encoded, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return file;
        } finally {
            deleteTree(work);
        }
    }

    private Path find(Recipe recipe, AudioFormat format) {
        for (String dir : searchPath.split(File.pathSeparator)) {
            if (!dir.isEmpty()) {
                Path candidate = Paths.get(dir, recipe.tool);
                if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                    return candidate.toAbsolutePath();
                }
            }
        }
        throw new MissingEncoderException(recipe.tool, recipe.debianPackage, format);
    }

    private static void run(List<String> command, Path work) throws IOException {
        Path log = work.resolve("encoder.log");
        Process process = new ProcessBuilder(command).directory(work.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        try {
            if (!process.waitFor(ENCODER_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new IOException("template encoder timed out: " + command);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while encoding a template: " + command, e);
        }
        if (process.exitValue() != 0) {
            throw new IOException("template encoder failed with exit code " + process.exitValue() + ": " + command
                    + "\n" + Files.readString(log, StandardCharsets.UTF_8));
        }
    }

    /** Removes what encoders write on their own: opusenc's {@code ENCODER} comments, any ID3 from lame. */
    private static byte[] withoutTags(AudioFormat format, byte[] encoded) {
        return switch (format) {
            case MP3 -> withoutId3(encoded);
            case OPUS -> OggTagWriter.writeOpus(encoded, Tags.builder().build());
            default -> encoded;
        };
    }

    /** Removes an ID3v2 head and an ID3v1 tail, which the MP3 writer adds itself (lame writes none by default). */
    private static byte[] withoutId3(byte[] mp3) {
        int start = 0;
        if (ByteSink.startsWith(mp3, 0, "ID3")) {
            start = 10 + ((mp3[6] & 0x7f) << 21 | (mp3[7] & 0x7f) << 14 | (mp3[8] & 0x7f) << 7 | (mp3[9] & 0x7f));
        }
        int end = mp3.length;
        if (end - Id3v1Writer.SIZE >= start && ByteSink.startsWith(mp3, end - Id3v1Writer.SIZE, "TAG")) {
            end -= Id3v1Writer.SIZE;
        }
        return Arrays.copyOfRange(mp3, start, end);
    }

    private static String key(String recipe) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(recipe.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from the JDK", e);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    @FunctionalInterface
    private interface SourceWriter {
        void write(Path wav) throws IOException;
    }

    /** How one template is encoded: the tool, its Debian package and its command line. */
    private record Recipe(String tool, String debianPackage, List<String> command) {

        static final Recipe LARGE_FLAC = new Recipe("flac", "flac",
                List.of("--silent", "--force", "-0", "-o", OUT, IN));

        static Recipe of(AudioFormat format) {
            return switch (format) {
                case FLAC -> new Recipe("flac", "flac", List.of("--silent", "--force", "-o", OUT, IN));
                case MP3 -> new Recipe("lame", "lame", List.of("--quiet", "--noreplaygain", "-b", "32", IN, OUT));
                case OGG_VORBIS -> new Recipe("oggenc", "vorbis-tools",
                        List.of("--quiet", "--serial", "1297", "-q", "0", "-o", OUT, IN));
                case OPUS -> new Recipe("opusenc", "opus-tools",
                        List.of("--quiet", "--serial", "1298", "--bitrate", "24", IN, OUT));
                case M4A -> new Recipe("ffmpeg", "ffmpeg", List.of("-nostdin", "-v", "error", "-y", "-i", IN,
                        "-map_metadata", "-1", "-fflags", "+bitexact", "-flags:a", "+bitexact", "-c:a", "aac",
                        "-b:a", "32k", OUT));
                case WAV, AIFF -> new Recipe("sox", "sox", List.of(IN, "--comment", "", OUT));
            };
        }

        List<String> commandLine(Path toolPath, Path in, Path out) {
            List<String> line = new ArrayList<>(List.of(toolPath.toString()));
            for (String arg : command) {
                line.add(arg.equals(IN) ? in.toString() : arg.equals(OUT) ? out.toString() : arg);
            }
            return line;
        }
    }

    private static final class Shared {
        static final Templates INSTANCE = new Templates(
                Paths.get(System.getProperty(CACHE_PROPERTY,
                        Paths.get(System.getProperty("java.io.tmpdir"), "musicfs-testkit-templates").toString())),
                System.getenv().getOrDefault("PATH", String.join(File.pathSeparator,
                        Arrays.asList("/usr/local/bin", "/usr/bin", "/bin"))));
    }
}
