package io.musicfs.cas.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
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
 * <p>Threading: the monitor of this object guards the open channels; appends are short.
 */
final class OriginChunkLog implements AutoCloseable {

    static final String DIR = "origins";

    private final Path dir;
    private final Map<String, FileChannel> open = new HashMap<>();

    OriginChunkLog(Path chunksDir) {
        this.dir = chunksDir.resolve(DIR);
    }

    /** Notes that chunk {@code hash} was cached for a file of {@code originId}. */
    synchronized void note(String originId, long hash) throws IOException {
        FileChannel ch = open.get(originId);
        if (ch == null) {
            OriginIds.validate(originId);
            Files.createDirectories(dir);
            ch = FileChannel.open(dir.resolve(originId), StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
            open.put(originId, ch);
        }
        ByteBuffer b = ByteBuffer.allocate(Long.BYTES).putLong(0, hash);
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    /** @return the chunks noted for the origin, and forgets them; empty when none */
    synchronized Set<Long> take(String originId) throws IOException {
        OriginIds.validate(originId);
        FileChannel ch = open.remove(originId);
        if (ch != null) {
            ch.close();
        }
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
        close();
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files) {
                Files.deleteIfExists(f);
            }
        }
    }

    @Override
    public synchronized void close() {
        for (FileChannel ch : open.values()) {
            try {
                ch.close();
            } catch (IOException e) {
                // nothing was buffered: appends went straight to the channel
            }
        }
        open.clear();
    }
}
