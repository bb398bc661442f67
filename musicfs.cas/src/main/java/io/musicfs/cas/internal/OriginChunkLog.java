package io.musicfs.cas.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashSet;
import java.util.Set;

import io.musicfs.api.origin.OriginIds;

/**
 * Which chunks were cached for which origin, so {@code cache clear ORIGIN} can drop one origin's
 * chunks: one append-only file per origin ({@code chunks/origins/<id>}), eight bytes per chunk
 * written. Chunks are content-addressed, so a chunk two origins share is listed under both and
 * clearing one drops it for the other too (it is fetched again when read).
 *
 * <p>A hint, not an index: a chunk listed here may be long evicted (deleting it again is a no-op),
 * and after a crash the last entries may be missing (those chunks then leave by eviction only).
 * The file is not fsynced for that reason. It is rewritten without the chunks no longer on disk when
 * it is read for a clear.
 *
 * <p>Threading: the monitor of this object serialises appends and reads; each is short.
 */
final class OriginChunkLog {

    static final String DIR = "origins";

    private final Path dir;

    OriginChunkLog(Path chunksDir) {
        this.dir = chunksDir.resolve(DIR);
    }

    /** Notes that chunk {@code hash} was cached for a file of {@code originId}. */
    synchronized void note(String originId, long hash) throws IOException {
        OriginIds.validate(originId);
        Files.createDirectories(dir);
        // Opened per chunk, not kept open: an open file for writing would keep the cache's file system
        // from being remounted read-only or unmounted, and a chunk write costs an fsync anyway.
        try (FileChannel ch = FileChannel.open(dir.resolve(originId), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            ByteBuffer b = ByteBuffer.allocate(Long.BYTES).putLong(0, hash);
            while (b.hasRemaining()) {
                ch.write(b);
            }
        }
    }

    /** @return the chunks noted for the origin, and forgets them; empty when none */
    synchronized Set<Long> take(String originId) throws IOException {
        OriginIds.validate(originId);
        Path file = dir.resolve(originId);
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return Set.of();
        }
        Set<Long> hashes = new LinkedHashSet<>();
        ByteBuffer b = ByteBuffer.wrap(bytes);
        while (b.remaining() >= Long.BYTES) {
            hashes.add(b.getLong());
        }
        Files.deleteIfExists(file);
        return hashes;
    }

    /** Forgets every origin's chunks. */
    synchronized void clear() throws IOException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files) {
                Files.deleteIfExists(f);
            }
        }
    }
}
