package io.musicfs.catalog.internal.db;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
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
 * <p>Threading: thread-safe. Operations on one file are serialised by one of {@link #STRIPES}
 * locks (so "check the version, then write" never races in this process); different files go
 * through in parallel, each on its own pooled connection.
 */
public final class DerbyManifestStore implements ManifestStore {

    /** Lock stripes for per-file serialisation; a power of two. */
    private static final int STRIPES = 64;

    private final CatalogDb db;
    private final Object[] stripes = new Object[STRIPES];

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
        checkChunkSize(chunkSize);
        int count = Manifest.chunkCount(file.size(), chunkSize);
        if (index < 0 || index >= count) {
            throw new IllegalArgumentException("chunk " + index + " of file " + file.fileId() + " (" + file.path()
                    + ") is outside its " + count + " chunks");
        }
        if (hash == Manifest.UNKNOWN) {
            return; // a chunk whose real hash is 0 is simply never recorded (Manifest.UNKNOWN)
        }
        synchronized (stripe(file)) {
            db.transaction("recording chunk " + index + " of file " + file.fileId() + " (" + file.path() + ")", c -> {
                currentVersion(c, file, chunkSize, true);
                try (PreparedStatement up = c.prepareStatement(
                        "UPDATE manifest_chunks SET hash = ? WHERE file_id = ? AND chunk_index = ?")) {
                    up.setLong(1, hash);
                    up.setLong(2, file.fileId());
                    up.setInt(3, index);
                    if (up.executeUpdate() > 0) {
                        return null;
                    }
                }
                try (PreparedStatement in = c.prepareStatement(
                        "INSERT INTO manifest_chunks (file_id, chunk_index, hash) VALUES (?, ?, ?)")) {
                    in.setLong(1, file.fileId());
                    in.setInt(2, index);
                    in.setLong(3, hash);
                    in.executeUpdate();
                }
                return null;
            });
        }
    }

    @Override
    public void forgetChunk(TrackFile file, int index) throws IOException {
        synchronized (stripe(file)) {
            db.transaction("forgetting chunk " + index + " of file " + file.fileId() + " (" + file.path() + ")", c -> {
                try (PreparedStatement ps = c.prepareStatement(
                        "DELETE FROM manifest_chunks WHERE file_id = ? AND chunk_index = ?")) {
                    ps.setLong(1, file.fileId());
                    ps.setInt(2, index);
                    ps.executeUpdate();
                }
                return null;
            });
        }
    }

    /**
     * Makes sure the stored manifest describes the file's current version at this chunk size:
     * drops a stored manifest of another version and, when {@code create}, writes the version row.
     *
     * @return whether a manifest of the current version is stored (its chunks are worth reading)
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
            return true;
        }
        return false;
    }

    private Object stripe(TrackFile file) {
        return stripes[(int) (file.fileId() ^ (file.fileId() >>> 32)) & (STRIPES - 1)];
    }

    private static void checkChunkSize(int chunkSize) {
        if (chunkSize <= 0) {
            throw new IllegalArgumentException("chunk size must be positive, is " + chunkSize);
        }
    }
}
