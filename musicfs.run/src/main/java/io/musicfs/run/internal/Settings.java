package io.musicfs.run.internal;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import io.musicfs.run.internal.control.ControlSettings;

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
 * @param control where the control API (and health, metrics, status page) listens, and the webhooks
 * @param daemon how the daemon itself runs: drain timeout, log level
 */
record Settings(Path mountPoint, Path cacheDir, List<OriginSpec> origins, Map<String, String> pathPatterns, boolean allowOther,
        Integer pollIntervalSeconds, Long cacheLimitBytes, ControlSettings control, DaemonOptions daemon) {

    Settings(Path mountPoint, Path cacheDir, List<OriginSpec> origins, Map<String, String> pathPatterns, boolean allowOther,
            Integer pollIntervalSeconds) {
        this(mountPoint, cacheDir, origins, pathPatterns, allowOther, pollIntervalSeconds, null, ControlSettings.DEFAULT,
                DaemonOptions.DEFAULTS);
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
