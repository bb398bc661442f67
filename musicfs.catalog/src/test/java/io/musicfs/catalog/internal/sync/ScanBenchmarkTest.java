package io.musicfs.catalog.internal.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.musicfs.api.origin.OriginEntry;
import io.musicfs.catalog.internal.db.CatalogDb;
import io.musicfs.catalog.internal.tags.DirectoryOrigin;
import io.musicfs.catalog.internal.tags.TagReadResult;
import io.musicfs.catalog.internal.tags.TagReader;
import io.musicfs.catalog.internal.tags.TestAudio;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scan benchmark: 2,000 three-minute tracks of eight kinds (hard links to one file per kind,
 * so the disk holds eight), synced into a fresh catalog. Reports tracks per second and bytes fetched
 * per track, locally and with an injected per-read latency like a remote origin's. Runs only with
 * {@code -Dmusicfs.bench=true} (it encodes a few minutes of audio first).
 */
class ScanBenchmarkTest {

    static final int TRACKS = 2000;

    @TempDir
    Path dir;

    @Test
    void scanTwoThousandTracks() throws IOException {
        Assumptions.assumeTrue(Boolean.getBoolean("musicfs.bench"), "set -Dmusicfs.bench=true to run the benchmark");
        Path src = Files.createDirectories(dir.resolve("src"));
        Path noise = TestAudio.sourceWav(src, "noise.wav", 180, true);
        Map<String, Path> kinds = new LinkedHashMap<>();
        Map<String, String> md = Map.of("title", "A Title", "artist", "An Artist", "album", "An Album", "album_artist",
                "An Artist", "track", "3/12", "date", "1997", "genre", "Rock");
        kinds.put("flac", TestAudio.flac(noise, src.resolve("k.flac"), "TITLE=A Title", "ARTIST=An Artist",
                "ALBUM=An Album", "TRACKNUMBER=3/12", "DATE=1997"));
        Path cover = src.resolve("cover.jpg");
        Files.write(cover, coverBytes(500 * 1024));
        Path flacArt = src.resolve("k-art.flac");
        Files.copy(kinds.get("flac"), flacArt);
        TestAudio.run("metaflac", "--import-picture-from=3|image/jpeg||1000x1000x24|" + cover, flacArt.toString());
        kinds.put("art.flac", flacArt);
        Path bare = TestAudio.mp3Bare(noise, src.resolve("bare.mp3"), 256);
        kinds.put("mp3", TestAudio.mp3Id3v2(bare, src.resolve("k.mp3"), 3, Map.of("TIT2", "A Title", "TPE1",
                "An Artist", "TALB", "An Album", "TRCK", "3/12"), TestAudio.apic(3, 100 * 1024)));
        kinds.put("m4a", TestAudio.ffmpeg(noise, src.resolve("k.m4a"), List.of("-c:a", "aac", "-b:a", "256k"), md));
        kinds.put("ogg", TestAudio.ffmpeg(noise, src.resolve("k.ogg"), List.of("-c:a", "libvorbis", "-q:a", "6"), md));
        kinds.put("opus", TestAudio.ffmpeg(noise, src.resolve("k.opus"), List.of("-c:a", "libopus", "-b:a", "160k"), md));
        kinds.put("wav", TestAudio.ffmpeg(noise, src.resolve("k.wav"), List.of(), md));
        kinds.put("aiff", TestAudio.ffmpeg(noise, src.resolve("k.aiff"), List.of("-write_id3v2", "1"), md));

        Path music = Files.createDirectories(dir.resolve("music"));
        long libraryBytes = 0;
        List<String> names = new ArrayList<>(kinds.keySet());
        for (int i = 0; i < TRACKS; i++) {
            String kind = names.get(i % names.size());
            Path album = Files.createDirectories(music.resolve("Artist " + (i / 100)).resolve("Album " + (i / 10)));
            Path link = album.resolve(String.format("%02d - Track.%s", i % 10, kind.replace("art.", "")));
            if (Files.exists(link)) {
                link = album.resolve(String.format("%02d - Track (art).%s", i % 10, kind.replace("art.", "")));
            }
            Files.createLink(link, kinds.get(kind));
            libraryBytes += Files.size(link);
        }

        // single thread, TagReader only
        DirectoryOrigin origin = new DirectoryOrigin("bench", music);
        TagReader reader = new TagReader(dir.resolve("work"));
        List<OriginEntry> entries = new ArrayList<>();
        origin.walk(entries::add);
        long t0 = System.nanoTime();
        long fetched = 0;
        for (OriginEntry e : entries) {
            TagReadResult r = reader.read(origin, e);
            assertTrue(r.readable(), e.path() + ": " + r.problem());
            fetched += r.bytesFetched();
        }
        double single = TRACKS / ((System.nanoTime() - t0) / 1e9);
        System.out.printf("bench: TagReader, 1 thread, local: %d tracks (%.1f GB) in %.2f s = %.0f tracks/s;"
                + " fetched %,d bytes = %,d bytes/track = %.3f%% of library bytes, %.2f reads/track%n", TRACKS,
                libraryBytes / 1e9, TRACKS / single, single, fetched, fetched / TRACKS, 100.0 * fetched / libraryBytes,
                (double) origin.reads() / TRACKS);

        // full sync into a fresh catalog: walk, diff, 3 tag threads, batches of 200
        for (int[] run : new int[][] {{0, 1}, {0, 3}, {20, 3}, {20, 8}}) {
            int latencyMs = run[0];
            int threads = run[1];
            DirectoryOrigin o = latencyMs == 0 ? new DirectoryOrigin("bench", music) : new DirectoryOrigin("bench", music) {
                @Override
                public int read(String path, long offset, ByteBuffer dst) throws IOException {
                    try {
                        Thread.sleep(latencyMs);
                    } catch (InterruptedException e) {
                        throw new java.io.InterruptedIOException();
                    }
                    return super.read(path, offset, dst);
                }
            };
            Path dbDir = dir.resolve("catalog-" + latencyMs + "-" + threads);
            OriginSync.Options options = new OriginSync.Options(threads, 200, java.time.Duration.ofSeconds(10),
                    java.time.Duration.ofSeconds(60), 10, java.time.Duration.ofSeconds(5));
            try (CatalogDb db = CatalogDb.open(dbDir);
                    OriginSync sync = new OriginSync(db, reader, options, OriginSync.Listener.NONE)) {
                SyncSummary s = sync.sync(o);
                assertEquals(TRACKS, s.added());
                assertEquals(0, s.unreadable());
                double rate = TRACKS / (s.duration().toNanos() / 1e9);
                System.out.printf("bench: OriginSync, %d tag threads, %d ms per read: %d tracks in %.2f s = %.0f tracks/s;"
                        + " fetched %,d bytes/track = %.3f%% of library bytes%n", threads, latencyMs, TRACKS,
                        s.duration().toMillis() / 1000.0, rate, s.bytesFetched() / TRACKS,
                        100.0 * s.bytesFetched() / libraryBytes);
                long l0 = System.nanoTime();
                int loaded = db.loadAll().size();
                System.out.printf("bench: loadAll of %d files %d ms; resync of the unchanged library %d ms%n", loaded,
                        (System.nanoTime() - l0) / 1_000_000, sync.sync(o).duration().toMillis());
            }
        }
    }

    private static byte[] coverBytes(int size) {
        byte[] b = new byte[size];
        new java.util.Random(1).nextBytes(b);
        // a JPEG start marker so metaflac takes it as image/jpeg
        b[0] = (byte) 0xFF;
        b[1] = (byte) 0xD8;
        b[2] = (byte) 0xFF;
        b[3] = (byte) 0xE0;
        return b;
    }
}
