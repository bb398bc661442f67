package io.musicfs.run.internal;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Everything one daemon run is configured with, from the command line and the config file.
 *
 * @param mountPoint where the library is mounted
 * @param cacheDir the cache folder (chunks, catalog database, lock)
 * @param origins the origins, in priority order
 * @param pathPatterns the path patterns that were set ({@code default}, {@code compilation}, {@code untagged})
 * @param allowOther whether other users may read the mount
 * @param pollIntervalSeconds seconds between syncs of origins that cannot push changes (S3, SFTP), or {@code null} for the default
 * @param cacheLimitBytes the chunk cache's size limit, or {@code null} for the default
 * @param listen {@code HOST:PORT} of the HTTP listener (health, metrics), or {@code null} for {@link #DEFAULT_LISTEN}
 * @param daemon how the daemon itself runs: drain timeout, log level
 */
record Settings(Path mountPoint, Path cacheDir, List<OriginSpec> origins, Map<String, String> pathPatterns, boolean allowOther,
        Integer pollIntervalSeconds, Long cacheLimitBytes, String listen, DaemonOptions daemon) {

    /** loopback only: the HTTP endpoints are for this machine's monitoring, never the network by default */
    static final String DEFAULT_LISTEN = "127.0.0.1:7474";

    Settings(Path mountPoint, Path cacheDir, List<OriginSpec> origins, Map<String, String> pathPatterns, boolean allowOther,
            Integer pollIntervalSeconds) {
        this(mountPoint, cacheDir, origins, pathPatterns, allowOther, pollIntervalSeconds, null, null, DaemonOptions.DEFAULTS);
    }

    /**
     * @param drainTimeout how long in-flight FUSE reads may take to finish at shutdown
     * @param logLevel the level of MusicFS's own loggers (error, warn, info, debug, trace)
     */
    record DaemonOptions(java.time.Duration drainTimeout, String logLevel) {
        static final DaemonOptions DEFAULTS = new DaemonOptions(java.time.Duration.ofSeconds(10), "info");
        static final List<String> LEVELS = List.of("error", "warn", "info", "debug", "trace");
    }
}
