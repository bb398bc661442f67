package io.musicfs.testkit.corpus;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Templates: built by the real encoders once, reused, and a clear error naming the package when one is missing. */
class TemplatesTest {

    @Test
    void aMissingEncoderIsReportedWithItsDebianPackage(@TempDir Path cache) {
        Map<AudioFormat, String> packages = Map.of(AudioFormat.FLAC, "flac", AudioFormat.MP3, "lame",
                AudioFormat.OGG_VORBIS, "vorbis-tools", AudioFormat.OPUS, "opus-tools", AudioFormat.M4A, "ffmpeg",
                AudioFormat.WAV, "sox", AudioFormat.AIFF, "sox");
        Templates nowhere = new Templates(cache, cache.resolve("no-bin").toString());
        packages.forEach((format, debianPackage) -> {
            MissingEncoderException e = assertThrows(MissingEncoderException.class, () -> nowhere.untagged(format));
            assertEquals(debianPackage, e.debianPackage());
            assertTrue(e.getMessage().contains("apt-get install " + debianPackage), e.getMessage());
        });
    }

    @Test
    void aCachedTemplateIsReusedAndAnUnknownOneIsBuilt(@TempDir Path cache) throws Exception {
        String path = System.getenv("PATH");
        byte[] built = new Templates(cache, path).untagged(AudioFormat.FLAC);
        List<Path> files = list(cache);
        assertEquals(1, files.size(), "one template file, no leftovers: " + files);
        FileTime builtAt = FileTime.fromMillis(1_000_000_000L);
        Files.setLastModifiedTime(files.get(0), builtAt);

        assertArrayEquals(built, new Templates(cache, path).untagged(AudioFormat.FLAC));
        assertEquals(builtAt, Files.getLastModifiedTime(files.get(0)), "the cached template was built again");
        assertTrue(files.get(0).getFileName().toString().matches("flac-[0-9a-f]{16}\\.flac"), files.toString());
    }

    @Test
    void templatesAreUntagged() throws Exception {
        byte[] mp3 = Templates.shared().untagged(AudioFormat.MP3);
        assertTrue((mp3[0] & 0xff) == 0xff && (mp3[1] & 0xe0) == 0xe0, "MP3 template starts with a frame sync");
        assertTrue(!ByteSink.startsWith(mp3, mp3.length - 128, "TAG"), "MP3 template has an ID3v1 tail");
        ExternalTool.assumeInstalled("ffprobe");
        for (AudioFormat format : AudioFormat.values()) {
            Path file = Files.createTempFile("template", "." + format.extension());
            try {
                Files.write(file, Templates.shared().untagged(format));
                Map<String, String> tags = Ffprobe.tags(file);
                tags.keySet().removeAll(List.of("major_brand", "minor_version", "compatible_brands", "encoder",
                        "language", "handler_name", "vendor_id"));
                assertEquals(Map.of(), tags, format + " template has tags");
            } finally {
                Files.delete(file);
            }
        }
    }

    private static List<Path> list(Path dir) throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            return files.toList();
        }
    }
}
