package io.musicfs.catalog.internal.db;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;

import io.musicfs.api.content.ManifestStore;
import io.musicfs.catalog.internal.CatalogEntry;
import io.musicfs.catalog.internal.TrackTags;

import org.apache.derby.jdbc.EmbeddedDriver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The catalog database: the origins seen, every catalogued file (identity, tags, stable id), the
 * manifests of file versions and the per-origin sync checkpoints, in an embedded Derby database in
 * a directory the caller names. It is a cache of the origins' state: a database that cannot be
 * opened or fails its check at start is moved aside (renamed with a timestamp, logged once) and a
 * fresh one is created, so the next sync rebuilds it.
 *
 * <p>Threading: thread-safe. Every operation runs in its own transaction on a pooled connection,
 * so reads (the tree loading everything, the read path loading manifests) run concurrently with
 * writes. Writes to the file and checkpoint tables are serialised by {@link #fileWrites}: one
 * writer keeps "one row per origin path" true without a unique index over long paths. Manifest
 * writes are serialised per file by {@link DerbyManifestStore}. {@link #close} waits for running
 * operations.
 *
 * <p>Lock order: {@link #fileWrites} or a manifest stripe, then {@link #lifecycle} (taken by every
 * transaction), then Derby's own locks.
 */
public final class CatalogDb implements AutoCloseable {

    /** The schema this code writes; an older one is migrated, a newer one is set aside. */
    static final int SCHEMA_VERSION = 1;
    /** Longest relative path stored; origins' paths are at most 4096 bytes, so this is a safe margin. */
    public static final int MAX_PATH_CHARS = 8192;
    /** Longest etag stored. */
    public static final int MAX_ETAG_CHARS = 4096;
    /** Longest tag string and problem text stored (TagReader caps tag values at the same length). */
    static final int MAX_TEXT_CHARS = 1024;
    /** Idle connections kept for reuse; more are opened when needed and closed after. */
    private static final int MAX_IDLE_CONNECTIONS = 4;
    /** Derby's page cache in pages (4 KiB, or 32 KiB for tables with long rows); Derby's default, said out loud. */
    private static final String PAGE_CACHE_PAGES = "1000";

    private static final Logger LOG = LoggerFactory.getLogger(CatalogDb.class);
    private static final String[] TABLES = {"SCHEMA_VERSION", "ORIGINS", "FILES", "MANIFESTS", "MANIFEST_CHUNKS",
        "SYNC_CHECKPOINTS"};

    /** The Derby engine is booted by the first open database and shut down with the last. */
    private static final Object ENGINE = new Object();
    private static Driver driver; // guarded by ENGINE
    private static int openDatabases; // guarded by ENGINE
    private static String logFileWeSet; // guarded by ENGINE
    private static final String ERROR_FILE = "derby.stream.error.file";
    /**
     * Directories open in this process: Derby would hand a second opener the same database, and one
     * close would shut it for both.
     */
    private static final java.util.Set<Path> OPEN_DIRECTORIES = new java.util.HashSet<>(); // guarded by ENGINE

    private final Path directory;
    private final String url;
    private final Driver engine;
    private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
    private final ReentrantLock fileWrites = new ReentrantLock();
    private final ConcurrentLinkedDeque<Connection> idle = new ConcurrentLinkedDeque<>();
    private final DerbyManifestStore manifests;
    private boolean closed; // guarded by lifecycle (write to change, read to look)

    /** An operation on one connection inside one transaction. */
    @FunctionalInterface
    interface SqlWork<T> {
        T run(Connection c) throws SQLException;
    }

    /** The database is corrupt, not a Derby database, or of an unknown schema: set it aside. */
    private static final class UnusableDatabaseException extends IOException {
        private static final long serialVersionUID = 1L;

        UnusableDatabaseException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private CatalogDb(Path directory, Driver engine) throws IOException {
        this.directory = directory;
        this.url = "jdbc:derby:directory:" + directory;
        this.engine = engine;
        this.manifests = new DerbyManifestStore(this);
        boot();
    }

    /**
     * Opens the database in {@code directory}, creating it when missing. A database that cannot be
     * opened, is not a Derby database, fails its consistency check or has an unknown schema is
     * renamed to {@code <directory>.corrupt-<timestamp>} and a fresh one is created.
     *
     * @throws IOException when no database can be opened there (for instance another process holds
     *     it, or the parent directory is not writable); the message names the directory
     */
    public static CatalogDb open(Path directory) throws IOException {
        Path dir = directory.toAbsolutePath().normalize();
        if (dir.toString().indexOf(';') >= 0) {
            throw new IOException("catalog: database directory " + dir + " contains ';', which Derby URLs cannot hold");
        }
        Files.createDirectories(dir.getParent());
        Driver engine = acquireEngine(dir);
        try {
            try {
                return new CatalogDb(dir, engine);
            } catch (UnusableDatabaseException e) {
                Path aside = setAside(dir, engine, e);
                LOG.error("catalog: database {} is unusable ({}); moved it to {} and created a fresh one, every origin"
                        + " will be scanned again", dir, e.getMessage(), aside);
                return new CatalogDb(dir, engine);
            }
        } catch (IOException | RuntimeException | Error e) {
            releaseEngine(dir);
            throw e;
        }
    }

    /** @return the database directory */
    public Path directory() {
        return directory;
    }

    /** @return the manifest store backed by this database; valid until {@link #close} */
    public ManifestStore manifests() {
        return manifests;
    }

    // ---------------------------------------------------------------------------------------------
    // Reading

    /** @return every catalogued file with its tags, in file id order */
    public List<CatalogEntry> loadAll() throws IOException {
        List<CatalogEntry> all = new ArrayList<>();
        forEachEntry(all::add);
        return all;
    }

    /**
     * Streams every catalogued file to {@code sink} in one query, in file id order; the sink runs
     * inside the read, so it should only collect.
     */
    public void forEachEntry(Consumer<CatalogEntry> sink) throws IOException {
        transaction("loading all files", c -> {
            Map<String, String> originIds = new HashMap<>(); // one String per origin, not one per row
            try (Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery("SELECT " + ENTRY_COLUMNS + " FROM files ORDER BY file_id")) {
                rs.setFetchSize(1000);
                while (rs.next()) {
                    sink.accept(entry(rs, originIds));
                }
            }
            return null;
        });
    }

    /** @return the catalogued file at {@code path} of the origin */
    public Optional<CatalogEntry> find(String originId, String path) throws IOException {
        return transaction("finding " + path + " of origin " + originId, c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + ENTRY_COLUMNS
                    + " FROM files WHERE origin_id = ? AND path_hash = ? AND path = ?")) {
                ps.setString(1, originId);
                ps.setLong(2, pathHash(path));
                ps.setString(3, path);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(entry(rs, new HashMap<>())) : Optional.<CatalogEntry>empty();
                }
            }
        });
    }

    /** @return the identity the catalog holds for one file of the origin */
    public Optional<StoredFile> stored(String originId, String path) throws IOException {
        return transaction("finding " + path + " of origin " + originId, c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT file_id, path, file_size, mtime_ms, etag, tag_state,"
                    + " tags_version FROM files WHERE origin_id = ? AND path_hash = ? AND path = ?")) {
                ps.setString(1, originId);
                ps.setLong(2, pathHash(path));
                ps.setString(3, path);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(storedFile(rs)) : Optional.<StoredFile>empty();
                }
            }
        });
    }

    /** @return the identity of every file of the origin by path, for the sync diff */
    public Map<String, StoredFile> identities(String originId) throws IOException {
        return transaction("loading the identities of origin " + originId, c -> {
            Map<String, StoredFile> map = new HashMap<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT file_id, path, file_size, mtime_ms, etag, tag_state,"
                    + " tags_version FROM files WHERE origin_id = ?")) {
                ps.setString(1, originId);
                ps.setFetchSize(1000);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        StoredFile f = storedFile(rs);
                        map.put(f.path(), f);
                    }
                }
            }
            return map;
        });
    }

    /** @return the number of catalogued files */
    public int fileCount() throws IOException {
        return transaction("counting files", c -> {
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM files")) {
                rs.next();
                return rs.getInt(1);
            }
        });
    }

    /** @return the ids of the origins that were ever synced, sorted */
    public List<String> origins() throws IOException {
        return transaction("listing origins", c -> {
            List<String> ids = new ArrayList<>();
            try (Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery("SELECT origin_id FROM origins ORDER BY origin_id")) {
                while (rs.next()) {
                    ids.add(rs.getString(1));
                }
            }
            return ids;
        });
    }

    // ---------------------------------------------------------------------------------------------
    // Writing files

    /**
     * Inserts or updates files of one origin in one transaction, together with the sync
     * checkpoint when one is given: either all of it is committed or none. A file keeps its id
     * when its path is already catalogued.
     *
     * @param generation the sync generation writing them (0 outside a sync)
     * @param checkpoint the checkpoint to commit with them, or {@code null}
     * @return the written files as catalogued, in the order given
     * @throws IllegalArgumentException for a path or etag above {@link #MAX_PATH_CHARS}, {@link #MAX_ETAG_CHARS}
     */
    public List<CatalogEntry> upsert(String originId, List<FileWrite> writes, long generation,
            SyncCheckpoint checkpoint) throws IOException {
        for (FileWrite w : writes) {
            checkStorable(w);
        }
        fileWrites.lock();
        try {
            return transaction("writing " + writes.size() + " files of origin " + originId, c -> {
                ensureOrigin(c, originId);
                List<CatalogEntry> written = new ArrayList<>(writes.size());
                try (PreparedStatement find = c.prepareStatement(
                        "SELECT file_id FROM files WHERE origin_id = ? AND path_hash = ? AND path = ?");
                        PreparedStatement update = c.prepareStatement("UPDATE files SET " + TAG_ASSIGNMENTS
                                + ", last_gen = ? WHERE file_id = ?");
                        PreparedStatement insert = c.prepareStatement("INSERT INTO files (origin_id, path_hash, path, "
                                + TAG_COLUMNS + ", first_gen, last_gen) VALUES (?, ?, ?, " + TAG_PLACEHOLDERS
                                + ", ?, ?)", Statement.RETURN_GENERATED_KEYS)) {
                    for (FileWrite w : writes) {
                        String path = w.entry().path();
                        long hash = pathHash(path);
                        find.setString(1, originId);
                        find.setLong(2, hash);
                        find.setString(3, path);
                        long id = -1;
                        try (ResultSet rs = find.executeQuery()) {
                            if (rs.next()) {
                                id = rs.getLong(1);
                            }
                        }
                        if (id >= 0) {
                            int i = bindTags(update, 1, w);
                            update.setLong(i++, generation);
                            update.setLong(i, id);
                            update.executeUpdate();
                        } else {
                            insert.setString(1, originId);
                            insert.setLong(2, hash);
                            insert.setString(3, path);
                            int i = bindTags(insert, 4, w);
                            insert.setLong(i++, generation);
                            insert.setLong(i, generation);
                            insert.executeUpdate();
                            try (ResultSet keys = insert.getGeneratedKeys()) {
                                keys.next();
                                id = keys.getLong(1);
                            }
                        }
                        written.add(new CatalogEntry(id, originId, path, w.entry().size(), w.entry().mtimeMillis(),
                                w.entry().etag(), w.tags()));
                    }
                }
                if (checkpoint != null) {
                    writeCheckpoint(c, checkpoint);
                }
                return written;
            });
        } finally {
            fileWrites.unlock();
        }
    }

    /**
     * Deletes files (and their manifests) in one transaction, together with the sync checkpoint
     * when one is given.
     *
     * @return how many files were deleted
     */
    public int delete(Collection<Long> fileIds, SyncCheckpoint checkpoint) throws IOException {
        fileWrites.lock();
        try {
            return transaction("deleting " + fileIds.size() + " files", c -> {
                int deleted = 0;
                try (PreparedStatement files = c.prepareStatement("DELETE FROM files WHERE file_id = ?");
                        PreparedStatement chunks = c.prepareStatement("DELETE FROM manifest_chunks WHERE file_id = ?");
                        PreparedStatement heads = c.prepareStatement("DELETE FROM manifests WHERE file_id = ?")) {
                    for (long id : fileIds) {
                        files.setLong(1, id);
                        deleted += files.executeUpdate();
                        chunks.setLong(1, id);
                        chunks.executeUpdate();
                        heads.setLong(1, id);
                        heads.executeUpdate();
                    }
                }
                if (checkpoint != null) {
                    writeCheckpoint(c, checkpoint);
                }
                return deleted;
            });
        } finally {
            fileWrites.unlock();
        }
    }

    /**
     * Forgets an origin: its files, their manifests, its checkpoint (the origin was removed from
     * the configuration).
     *
     * @return how many files were deleted
     */
    public int removeOrigin(String originId) throws IOException {
        fileWrites.lock();
        try {
            return transaction("removing origin " + originId, c -> {
                for (String table : new String[] {"manifest_chunks", "manifests"}) {
                    try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + table
                            + " WHERE file_id IN (SELECT file_id FROM files WHERE origin_id = ?)")) {
                        ps.setString(1, originId);
                        ps.executeUpdate();
                    }
                }
                int deleted;
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM files WHERE origin_id = ?")) {
                    ps.setString(1, originId);
                    deleted = ps.executeUpdate();
                }
                for (String table : new String[] {"sync_checkpoints", "origins"}) {
                    try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + table + " WHERE origin_id = ?")) {
                        ps.setString(1, originId);
                        ps.executeUpdate();
                    }
                }
                return deleted;
            });
        } finally {
            fileWrites.unlock();
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Sync checkpoints

    /** @return the origin's last checkpoint: a running one is a sync to resume */
    public Optional<SyncCheckpoint> checkpoint(String originId) throws IOException {
        return transaction("reading the checkpoint of origin " + originId, c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT generation, complete, started_ms, batches, added,"
                    + " changed, removed, unreadable, bytes_fetched FROM sync_checkpoints WHERE origin_id = ?")) {
                ps.setString(1, originId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.<SyncCheckpoint>empty();
                    }
                    return Optional.of(new SyncCheckpoint(originId, rs.getLong(1), rs.getBoolean(2), rs.getLong(3),
                            rs.getInt(4), rs.getLong(5), rs.getLong(6), rs.getLong(7), rs.getLong(8), rs.getLong(9)));
                }
            }
        });
    }

    /** Starts the origin's next sync generation and commits its (empty, running) checkpoint. */
    public SyncCheckpoint beginSync(String originId, long nowMillis) throws IOException {
        fileWrites.lock();
        try {
            return transaction("starting a sync of origin " + originId, c -> {
                ensureOrigin(c, originId);
                try (PreparedStatement ps = c.prepareStatement(
                        "UPDATE origins SET generation = generation + 1 WHERE origin_id = ?")) {
                    ps.setString(1, originId);
                    ps.executeUpdate();
                }
                long generation;
                try (PreparedStatement ps = c.prepareStatement("SELECT generation FROM origins WHERE origin_id = ?")) {
                    ps.setString(1, originId);
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        generation = rs.getLong(1);
                    }
                }
                SyncCheckpoint cp = new SyncCheckpoint(originId, generation, false, nowMillis, 0, 0, 0, 0, 0, 0);
                writeCheckpoint(c, cp);
                return cp;
            });
        } finally {
            fileWrites.unlock();
        }
    }

    /** Commits a checkpoint on its own (a sync that had nothing to write). */
    public void saveCheckpoint(SyncCheckpoint checkpoint) throws IOException {
        fileWrites.lock();
        try {
            transaction("saving the checkpoint of origin " + checkpoint.originId(), c -> {
                writeCheckpoint(c, checkpoint);
                return null;
            });
        } finally {
            fileWrites.unlock();
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Lifecycle

    /** Closes the pooled connections and shuts the database down cleanly; waits for running operations. */
    @Override
    public void close() {
        lifecycle.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            for (Connection c; (c = idle.poll()) != null;) {
                closeQuietly(c);
            }
            shutdown(engine, url);
            LOG.debug("catalog: closed database {}", directory);
        } finally {
            lifecycle.writeLock().unlock();
        }
        releaseEngine(directory);
    }

    /**
     * Runs {@code work} in one transaction on a pooled connection: committed when it returns,
     * rolled back when it throws. Package-private for {@link DerbyManifestStore}.
     */
    <T> T transaction(String what, SqlWork<T> work) throws IOException {
        lifecycle.readLock().lock();
        try {
            if (closed) {
                throw new IOException("catalog: database " + directory + " is closed (" + what + ")");
            }
            Connection c = idle.poll();
            try {
                if (c == null) {
                    c = connect("");
                }
                T result = work.run(c);
                c.commit();
                if (idle.size() < MAX_IDLE_CONNECTIONS) {
                    idle.push(c);
                } else {
                    closeQuietly(c);
                }
                return result;
            } catch (SQLException e) {
                rollbackAndClose(c);
                throw new IOException("catalog: " + what + " failed in database " + directory + ": " + describe(e), e);
            } catch (RuntimeException | Error e) {
                rollbackAndClose(c);
                throw e;
            }
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Opening, checking, setting aside

    private void boot() throws IOException {
        if (Files.isDirectory(directory)) {
            if (isEmpty(directory)) {
                Files.delete(directory); // Derby will not create a database in an existing directory
            } else if (!Files.exists(directory.resolve("service.properties"))) {
                throw new UnusableDatabaseException("it is not a Derby database (no service.properties)", null);
            }
        } else if (Files.exists(directory)) {
            throw new UnusableDatabaseException("it is a file, not a database directory", null);
        }
        Connection c;
        try {
            c = connect(";create=true");
        } catch (SQLException e) {
            if (hasState(e, "XSDB6")) {
                throw new IOException("catalog: database " + directory + " is in use by another process: "
                        + describe(e), e);
            }
            shutdown(engine, url);
            throw new UnusableDatabaseException(describe(e), e);
        }
        try {
            ensureSchema(c);
            check(c);
            c.commit();
            idle.push(c);
        } catch (SQLException | RuntimeException e) {
            rollbackAndClose(c);
            shutdown(engine, url);
            throw new UnusableDatabaseException(e instanceof SQLException s ? describe(s) : e.toString(), e);
        }
    }

    private Connection connect(String attributes) throws SQLException {
        Connection c = engine.connect(url + attributes, new Properties());
        if (c == null) {
            throw new SQLException("the Derby driver did not accept " + url);
        }
        c.setAutoCommit(false);
        c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
        return c;
    }

    private void ensureSchema(Connection c) throws SQLException {
        int version = 0;
        try (ResultSet rs = c.getMetaData().getTables(null, "APP", "SCHEMA_VERSION", null)) {
            if (rs.next()) {
                try (Statement st = c.createStatement();
                        ResultSet v = st.executeQuery("SELECT MAX(version) FROM schema_version")) {
                    version = v.next() ? v.getInt(1) : 0;
                }
                if (version == 0) {
                    throw new SQLException("its schema_version table is empty");
                }
            }
        }
        if (version == SCHEMA_VERSION) {
            return;
        }
        if (version > SCHEMA_VERSION) {
            throw new SQLException("its schema version " + version + " is newer than this MusicFS knows ("
                    + SCHEMA_VERSION + ")");
        }
        try (Statement st = c.createStatement()) {
            for (String ddl : SCHEMA) {
                st.executeUpdate(ddl);
            }
            st.executeUpdate("INSERT INTO schema_version (version) VALUES (" + SCHEMA_VERSION + ")");
        }
        LOG.info("catalog: created database {} (schema {})", directory, SCHEMA_VERSION);
    }

    /** Reads every row and index entry of every table: a damaged page fails here, at start, not at some later read. */
    private static void check(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("VALUES SYSCS_UTIL.SYSCS_CHECK_TABLE('APP', ?)")) {
            for (String table : TABLES) {
                ps.setString(1, table);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next() || rs.getInt(1) != 1) {
                        throw new SQLException("table " + table + " failed its consistency check");
                    }
                }
            }
        }
    }

    private static Path setAside(Path dir, Driver engine, IOException why) throws IOException {
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss"));
        Path aside = dir.resolveSibling(dir.getFileName() + ".corrupt-" + stamp);
        for (int n = 2; Files.exists(aside); n++) {
            aside = dir.resolveSibling(dir.getFileName() + ".corrupt-" + stamp + "-" + n);
        }
        try {
            Files.move(dir, aside, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            e.addSuppressed(why);
            throw new IOException("catalog: database " + dir + " is unusable (" + why.getMessage()
                    + ") and could not be moved aside to " + aside + ": " + e, e);
        }
        return aside;
    }

    private static Driver acquireEngine(Path dir) throws IOException {
        synchronized (ENGINE) {
            if (!OPEN_DIRECTORIES.add(dir)) {
                throw new IOException("catalog: database " + dir + " is already open in this process");
            }
            if (driver == null) {
                // derby.log next to the database, appended, not truncated at every boot. Derby reads
                // the property when its engine boots, which happens again after the last database
                // closed; a value the deployment set itself is left alone.
                String configured = System.getProperty(ERROR_FILE);
                if (configured == null || configured.equals(logFileWeSet)) {
                    logFileWeSet = dir.resolveSibling("derby.log").toString();
                    System.setProperty(ERROR_FILE, logFileWeSet);
                }
                setIfAbsent("derby.infolog.append", "true");
                setIfAbsent("derby.storage.pageCacheSize", PAGE_CACHE_PAGES);
                driver = new EmbeddedDriver();
            }
            openDatabases++;
            return driver;
        }
    }

    private static void releaseEngine(Path dir) {
        synchronized (ENGINE) {
            OPEN_DIRECTORIES.remove(dir);
            if (--openDatabases == 0 && driver != null) {
                // stops Derby's daemon threads: a stopped bundle leaves nothing running
                shutdown(driver, "jdbc:derby:");
                driver = null;
            }
        }
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }

    /** Shuts down a database (or, for {@code jdbc:derby:}, the engine); Derby reports success as an exception. */
    private static void shutdown(Driver engine, String url) {
        try {
            engine.connect(url + ";shutdown=true", new Properties());
        } catch (SQLException e) {
            // 08006: database shut down; XJ015: engine shut down; XJ004: it was not booted
            if (!hasState(e, "08006") && !hasState(e, "XJ015") && !hasState(e, "XJ004")) {
                LOG.warn("catalog: shutting down {} failed: {}", url, describe(e));
            }
        }
    }

    // ---------------------------------------------------------------------------------------------
    // SQL pieces

    private static final String[] SCHEMA = {
        "CREATE TABLE schema_version (version INT NOT NULL)",
        "CREATE TABLE origins (origin_id VARCHAR(255) NOT NULL PRIMARY KEY, first_seen_ms BIGINT NOT NULL,"
            + " generation BIGINT NOT NULL)",
        // file_id is the stable id and inode number: generated, never reused (Derby identities do not cycle)
        "CREATE TABLE files (file_id BIGINT GENERATED ALWAYS AS IDENTITY (START WITH 2, INCREMENT BY 1) PRIMARY KEY,"
            + " origin_id VARCHAR(255) NOT NULL, path_hash BIGINT NOT NULL,"
            + " path VARCHAR(" + MAX_PATH_CHARS + ") NOT NULL,"
            + " file_size BIGINT NOT NULL, mtime_ms BIGINT NOT NULL, etag VARCHAR(" + MAX_ETAG_CHARS + "),"
            + " tag_state SMALLINT NOT NULL, tags_version SMALLINT NOT NULL, tags_problem VARCHAR(1024),"
            + " album_artist VARCHAR(1024), artist VARCHAR(1024), album VARCHAR(1024), title VARCHAR(1024),"
            + " track INT NOT NULL, track_total INT NOT NULL, disc INT NOT NULL, disc_total INT NOT NULL,"
            + " date_tag VARCHAR(1024), genre VARCHAR(1024), composer VARCHAR(1024), compilation BOOLEAN NOT NULL,"
            + " format VARCHAR(32), first_gen BIGINT NOT NULL, last_gen BIGINT NOT NULL)",
        // paths are too long for a B-tree key: look them up by hash, then compare
        "CREATE INDEX files_origin_path ON files (origin_id, path_hash)",
        "CREATE TABLE manifests (file_id BIGINT NOT NULL PRIMARY KEY, chunk_size INT NOT NULL,"
            + " file_size BIGINT NOT NULL,"
            + " mtime_ms BIGINT NOT NULL, etag VARCHAR(" + MAX_ETAG_CHARS + "))",
        "CREATE TABLE manifest_chunks (file_id BIGINT NOT NULL, chunk_index INT NOT NULL, hash BIGINT NOT NULL,"
            + " PRIMARY KEY (file_id, chunk_index))",
        "CREATE TABLE sync_checkpoints (origin_id VARCHAR(255) NOT NULL PRIMARY KEY, generation BIGINT NOT NULL,"
            + " complete BOOLEAN NOT NULL, started_ms BIGINT NOT NULL, updated_ms BIGINT NOT NULL,"
            + " batches INT NOT NULL,"
            + " added BIGINT NOT NULL, changed BIGINT NOT NULL, removed BIGINT NOT NULL, unreadable BIGINT NOT NULL,"
            + " bytes_fetched BIGINT NOT NULL)",
    };

    private static final String TAG_COLUMNS = "file_size, mtime_ms, etag, tag_state, tags_version, tags_problem,"
            + " album_artist, artist, album, title, track, track_total, disc, disc_total, date_tag, genre, composer,"
            + " compilation, format";
    private static final String TAG_PLACEHOLDERS = "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?";
    private static final String TAG_ASSIGNMENTS = "file_size = ?, mtime_ms = ?, etag = ?, tag_state = ?,"
            + " tags_version = ?, tags_problem = ?, album_artist = ?, artist = ?, album = ?, title = ?, track = ?,"
            + " track_total = ?, disc = ?, disc_total = ?, date_tag = ?, genre = ?, composer = ?, compilation = ?,"
            + " format = ?";
    private static final String ENTRY_COLUMNS = "file_id, origin_id, path, file_size, mtime_ms, etag, album_artist,"
            + " artist, album, title, track, track_total, disc, disc_total, date_tag, genre, composer, compilation,"
            + " format";

    /** Binds the {@link #TAG_COLUMNS} from {@code first}; @return the next parameter index */
    private static int bindTags(PreparedStatement ps, int first, FileWrite w) throws SQLException {
        TrackTags t = w.tags();
        int i = first;
        ps.setLong(i++, w.entry().size());
        ps.setLong(i++, w.entry().mtimeMillis());
        setText(ps, i++, w.entry().etag(), MAX_ETAG_CHARS);
        ps.setShort(i++, w.tagState().code);
        ps.setShort(i++, (short) w.tagsVersion());
        setText(ps, i++, w.problem(), MAX_TEXT_CHARS);
        setText(ps, i++, t.albumArtist(), MAX_TEXT_CHARS);
        setText(ps, i++, t.artist(), MAX_TEXT_CHARS);
        setText(ps, i++, t.album(), MAX_TEXT_CHARS);
        setText(ps, i++, t.title(), MAX_TEXT_CHARS);
        ps.setInt(i++, t.track());
        ps.setInt(i++, t.trackTotal());
        ps.setInt(i++, t.disc());
        ps.setInt(i++, t.discTotal());
        setText(ps, i++, t.date(), MAX_TEXT_CHARS);
        setText(ps, i++, t.genre(), MAX_TEXT_CHARS);
        setText(ps, i++, t.composer(), MAX_TEXT_CHARS);
        ps.setBoolean(i++, t.compilation());
        setText(ps, i++, t.format(), 32);
        return i;
    }

    private static StoredFile storedFile(ResultSet rs) throws SQLException {
        return new StoredFile(rs.getLong(1), rs.getString(2), rs.getLong(3), rs.getLong(4), rs.getString(5),
                TagState.of(rs.getShort(6)), rs.getShort(7));
    }

    private static CatalogEntry entry(ResultSet rs, Map<String, String> originIds) throws SQLException {
        String origin = originIds.computeIfAbsent(rs.getString(2), o -> o);
        TrackTags tags = new TrackTags(rs.getString(7), rs.getString(8), rs.getString(9), rs.getString(10),
                rs.getInt(11), rs.getInt(12), rs.getInt(13), rs.getInt(14), rs.getString(15), rs.getString(16),
                rs.getString(17), rs.getBoolean(18), rs.getString(19));
        if (tags.equals(TrackTags.NONE)) {
            tags = TrackTags.NONE; // one shared instance for every untagged file
        }
        return new CatalogEntry(rs.getLong(1), origin, rs.getString(3), rs.getLong(4), rs.getLong(5), rs.getString(6),
                tags);
    }

    private static void setText(PreparedStatement ps, int index, String value, int max) throws SQLException {
        if (value == null) {
            ps.setNull(index, Types.VARCHAR);
        } else if (value.length() <= max) {
            ps.setString(index, value);
        } else {
            int cut = Character.isHighSurrogate(value.charAt(max - 1)) ? max - 1 : max;
            ps.setString(index, value.substring(0, cut));
        }
    }

    private static void checkStorable(FileWrite w) {
        String path = w.entry().path();
        if (path.length() > MAX_PATH_CHARS) {
            throw new IllegalArgumentException("path of " + path.length() + " characters is longer than "
                    + MAX_PATH_CHARS + ": " + path.substring(0, 200) + "...");
        }
        if (w.entry().etag() != null && w.entry().etag().length() > MAX_ETAG_CHARS) {
            throw new IllegalArgumentException("etag of " + path + " is longer than " + MAX_ETAG_CHARS);
        }
    }

    private static void ensureOrigin(Connection c, String originId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM origins WHERE origin_id = ?")) {
            ps.setString(1, originId);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    return;
                }
            }
        }
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO origins (origin_id, first_seen_ms, generation) VALUES (?, ?, 0)")) {
            ps.setString(1, originId);
            ps.setLong(2, System.currentTimeMillis());
            ps.executeUpdate();
        }
    }

    private static void writeCheckpoint(Connection c, SyncCheckpoint cp) throws SQLException {
        try (PreparedStatement up = c.prepareStatement("UPDATE sync_checkpoints SET generation = ?, complete = ?,"
                + " started_ms = ?, updated_ms = ?, batches = ?, added = ?, changed = ?, removed = ?, unreadable = ?,"
                + " bytes_fetched = ? WHERE origin_id = ?")) {
            bindCheckpoint(up, cp);
            up.setString(11, cp.originId());
            if (up.executeUpdate() > 0) {
                return;
            }
        }
        try (PreparedStatement in = c.prepareStatement("INSERT INTO sync_checkpoints (generation, complete, started_ms,"
                + " updated_ms, batches, added, changed, removed, unreadable, bytes_fetched, origin_id)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            bindCheckpoint(in, cp);
            in.setString(11, cp.originId());
            in.executeUpdate();
        }
    }

    private static void bindCheckpoint(PreparedStatement ps, SyncCheckpoint cp) throws SQLException {
        ps.setLong(1, cp.generation());
        ps.setBoolean(2, cp.complete());
        ps.setLong(3, cp.startedAtMillis());
        ps.setLong(4, System.currentTimeMillis());
        ps.setInt(5, cp.batches());
        ps.setLong(6, cp.added());
        ps.setLong(7, cp.changed());
        ps.setLong(8, cp.removed());
        ps.setLong(9, cp.unreadable());
        ps.setLong(10, cp.bytesFetched());
    }

    /**
     * 64-bit FNV-1a over the path's UTF-16 code units. Persisted in {@code files.path_hash}: never
     * change it without a schema migration that rehashes.
     */
    static long pathHash(String path) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < path.length(); i++) {
            char ch = path.charAt(i);
            h ^= ch & 0xFF;
            h *= 0x100000001b3L;
            h ^= ch >>> 8;
            h *= 0x100000001b3L;
        }
        return h;
    }

    // ---------------------------------------------------------------------------------------------
    // Helpers

    private static boolean isEmpty(Path dir) throws IOException {
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            return !s.iterator().hasNext();
        }
    }

    private static void rollbackAndClose(Connection c) {
        if (c == null) {
            return;
        }
        try {
            c.rollback();
        } catch (SQLException e) {
            // the connection is going away anyway
        }
        closeQuietly(c);
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException e) {
            // nothing to do: Derby releases the session's resources itself
        }
    }

    /** @return whether {@code e} or anything it chains carries the SQL state */
    static boolean hasState(Throwable e, String state) {
        Throwable t = e;
        for (int depth = 0; t != null && depth < 20; depth++, t = t.getCause()) {
            SQLException s = t instanceof SQLException q ? q : null;
            for (int n = 0; s != null && n < 20; n++, s = s.getNextException()) {
                if (state.equals(s.getSQLState())) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The SQL states and messages of an exception chain, on one line. */
    static String describe(SQLException e) {
        StringBuilder sb = new StringBuilder();
        for (SQLException s = e; s != null && sb.length() < 600; s = s.getNextException()) {
            if (sb.length() > 0) {
                sb.append("; ");
            }
            sb.append(s.getSQLState()).append(' ').append(s.getMessage());
        }
        return sb.toString();
    }
}
