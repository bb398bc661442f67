package io.musicfs.catalog.internal.db;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLIntegrityConstraintViolationException;
import java.sql.Types;
import java.util.BitSet;
import java.util.Objects;

import io.musicfs.api.content.Manifest;
import io.musicfs.api.content.ManifestStore;
import io.musicfs.api.library.TrackFile;

/**
 * Manifests in the catalog database: one {@code manifests} row per file holds the version the
 * chunks belong to (size, mtime, etag, chunk size), one {@code manifest_chunks} row per known
 * chunk holds its hash, so a 64 MB file at 1 MiB chunks is at most 64 rows, loaded with one
 * indexed query. Asking for a file whose identity or chunk size differs from the stored one drops
 * the stored manifest in the same transaction.
 *
 * <p>Which files have a manifest at all is also kept in memory (one bit per file id, read from the
 * database once), so the first read of a file that was never cached does not touch the database:
 * a cold read of a remote track waits for the origin, not for a query that may queue behind chunk
 * records being committed. The bits err only on the safe side: a set bit whose manifest is gone
 * (the file was deleted) costs one query; a bit is never clear while a manifest of the file is stored.
 *
 * <p>Threading: thread-safe. Operations on one file are serialised by one of {@link #STRIPES}
 * locks (so "check the version, then write" never races in this process); different files go
 * through in parallel, each on its own pooled connection.
 */
public final class DerbyManifestStore implements ManifestStore {

    /**
     * Lock stripes for per-file serialisation; a power of two. A record holds its file's stripe through
     * its commit (a log fsync, milliseconds), and a cold read loads its file's manifest under the
     * stripe: files sharing one would make that read wait for another file's commit. File ids are
     * sequential, so files less than this many ids apart never share one.
     */
    static final int STRIPES = 4096;

    private final CatalogDb db;
    private final Object[] stripes = new Object[STRIPES];
    /** Bit {@code id} set: file {@code id} may have a stored manifest. Guarded by itself; null until first used. */
    private BitSet stored;
    /** Queries skipped because the file had no manifest; for tests. */
    private final java.util.concurrent.atomic.LongAdder skipped = new java.util.concurrent.atomic.LongAdder();

    DerbyManifestStore(CatalogDb db) {
        this.db = db;
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new Object();
        }
    }

    @Override
    public Manifest load(TrackFile file, int chunkSize) throws IOException {
        checkChunkSize(chunkSize);
        long[] hashes = new long[Manifest.chunkCount(file.size(), chunkSize)];
        if (!mayBeStored(file.fileId())) {
            skipped.increment();
            return new Manifest(file.fileId(), file.size(), file.mtimeMillis(), file.etag(), chunkSize, hashes);
        }
        synchronized (stripe(file)) {
            db.transaction("loading the manifest of file " + file.fileId() + " (" + file.path() + ")", c -> {
                if (currentVersion(c, file, chunkSize, false)) {
                    try (PreparedStatement ps = c.prepareStatement(
                            "SELECT chunk_index, hash FROM manifest_chunks WHERE file_id = ?")) {
                        ps.setLong(1, file.fileId());
                        try (ResultSet rs = ps.executeQuery()) {
                            while (rs.next()) {
                                int index = rs.getInt(1);
                                if (index >= 0 && index < hashes.length) {
                                    hashes[index] = rs.getLong(2);
                                }
                            }
                        }
                    }
                }
                return null;
            });
        }
        return new Manifest(file.fileId(), file.size(), file.mtimeMillis(), file.etag(), chunkSize, hashes);
    }

    @Override
    public void recordChunk(TrackFile file, int chunkSize, int index, long hash) throws IOException {
        recordChunks(file, chunkSize, new int[] {index}, new long[] {hash});
    }

    @Override
    public void recordChunks(TrackFile file, int chunkSize, int[] indexes, long[] hashes) throws IOException {
        checkChunkSize(chunkSize);
        if (indexes.length != hashes.length) {
            throw new IllegalArgumentException(indexes.length + " chunk indexes but " + hashes.length + " hashes for file "
                    + file.fileId() + " (" + file.path() + ")");
        }
        int count = Manifest.chunkCount(file.size(), chunkSize);
        int known = 0;
        for (int i = 0; i < indexes.length; i++) {
            if (indexes[i] < 0 || indexes[i] >= count) {
                throw new IllegalArgumentException("chunk " + indexes[i] + " of file " + file.fileId() + " (" + file.path()
                        + ") is outside its " + count + " chunks");
            }
            if (hashes[i] != Manifest.UNKNOWN) {
                known++;
            }
        }
        if (known == 0) {
            return; // a chunk whose real hash is 0 is simply never recorded (Manifest.UNKNOWN)
        }
        BitSet bits = storedFiles();
        String what = indexes.length == 1 ? "chunk " + indexes[0] : indexes.length + " chunks";
        synchronized (stripe(file)) {
            db.transaction("recording " + what + " of file " + file.fileId() + " (" + file.path() + ")", c -> {
                currentVersion(c, file, chunkSize, true);
                markStored(bits, file.fileId());
                try (PreparedStatement in = c.prepareStatement(
                        "INSERT INTO manifest_chunks (file_id, chunk_index, hash) VALUES (?, ?, ?)")) {
                    for (int i = 0; i < indexes.length; i++) {
                        if (hashes[i] == Manifest.UNKNOWN) {
                            continue;
                        }
                        in.setLong(1, file.fileId());
                        in.setInt(2, indexes[i]);
                        in.setLong(3, hashes[i]);
                        try {
                            in.executeUpdate();
                        } catch (SQLIntegrityConstraintViolationException recordedBefore) {
                            // The chunk is recorded with other bytes (its file rewritten in place): replaced.
                            // Rare: the cache records no chunk the manifest holds already. Inserting first
                            // spares the usual case an update of no row, which costs Derby a warning with a
                            // stack trace, more than the insert itself. The failed insert undoes only itself.
                            replace(c, file.fileId(), indexes[i], hashes[i]);
                        }
                    }
                }
                return null;
            });
        }
    }

    private static void replace(Connection c, long fileId, int index, long hash) throws SQLException {
        try (PreparedStatement up = c.prepareStatement("UPDATE manifest_chunks SET hash = ? WHERE file_id = ? AND chunk_index = ?")) {
            up.setLong(1, hash);
            up.setLong(2, fileId);
            up.setInt(3, index);
            up.executeUpdate();
        }
    }

    /**
     * Makes sure the stored manifest describes the file's current version at this chunk size:
     * drops a stored manifest of another version and, when {@code create}, writes the version row.
     *
     * @return whether a manifest of the current version was stored: its chunks are worth reading
     */
    private static boolean currentVersion(Connection c, TrackFile file, int chunkSize, boolean create)
            throws SQLException {
        boolean stored = false;
        boolean current = false;
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT chunk_size, file_size, mtime_ms, etag FROM manifests WHERE file_id = ?")) {
            ps.setLong(1, file.fileId());
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    stored = true;
                    current = rs.getInt(1) == chunkSize && rs.getLong(2) == file.size()
                            && rs.getLong(3) == file.mtimeMillis() && Objects.equals(rs.getString(4), file.etag());
                }
            }
        }
        if (current) {
            return true;
        }
        if (stored) {
            // another version of the file (or another chunking): its chunks must never be mixed in
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM manifest_chunks WHERE file_id = ?")) {
                ps.setLong(1, file.fileId());
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM manifests WHERE file_id = ?")) {
                ps.setLong(1, file.fileId());
                ps.executeUpdate();
            }
        }
        if (create) {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO manifests (file_id, chunk_size, file_size, mtime_ms, etag) VALUES (?, ?, ?, ?, ?)")) {
                ps.setLong(1, file.fileId());
                ps.setInt(2, chunkSize);
                ps.setLong(3, file.size());
                ps.setLong(4, file.mtimeMillis());
                if (file.etag() == null) {
                    ps.setNull(5, Types.VARCHAR);
                } else {
                    ps.setString(5, file.etag());
                }
                ps.executeUpdate();
            }
        }
        return false;
    }

    /** @return loads that were answered from memory because the file has no manifest */
    long queriesSkipped() {
        return skipped.sum();
    }

    /** @return whether the file may have a stored manifest; reads the set of such files on first use */
    private boolean mayBeStored(long fileId) throws IOException {
        if (fileId < 0 || fileId > Integer.MAX_VALUE) {
            return true;
        }
        BitSet bits = storedFiles();
        synchronized (bits) {
            return bits.get((int) fileId);
        }
    }

    /** Marks a file as having a manifest; called before the transaction that writes it commits. */
    private static void markStored(BitSet bits, long fileId) {
        if (fileId < 0 || fileId > Integer.MAX_VALUE) {
            return;
        }
        synchronized (bits) {
            bits.set((int) fileId);
        }
    }

    private BitSet storedFiles() throws IOException {
        synchronized (stripes) {
            if (stored == null) {
                BitSet bits = new BitSet();
                db.transaction("reading which files have manifests", c -> {
                    try (PreparedStatement ps = c.prepareStatement("SELECT file_id FROM manifests");
                            ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            long id = rs.getLong(1);
                            if (id >= 0 && id <= Integer.MAX_VALUE) {
                                bits.set((int) id);
                            }
                        }
                    }
                    return null;
                });
                stored = bits;
            }
            return stored;
        }
    }

    /** @return the lock that serialises the operations on the file (package-private for tests) */
    Object stripe(TrackFile file) {
        return stripes[(int) (file.fileId() ^ (file.fileId() >>> 32)) & (STRIPES - 1)];
    }

    private static void checkChunkSize(int chunkSize) {
        if (chunkSize <= 0) {
            throw new IllegalArgumentException("chunk size must be positive, is " + chunkSize);
        }
    }
}
