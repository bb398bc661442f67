package io.musicfs.api.supervision;

import java.time.Duration;
import java.time.Instant;

import org.osgi.annotation.versioning.ProviderType;

/** The daemon process as a whole: registered by the launcher. */
@ProviderType
public interface Lifecycle {

    /** @return the MusicFS version running */
    String version();

    /** @return when the daemon started */
    Instant started();

    /**
     * Starts the ordered shutdown, exactly as SIGTERM does, and returns at once.
     *
     * @param drainTimeout how long in-flight reads may take to finish, or {@code null} for the configured default
     * @param reason who asked, for the log ("shutdown requested over the control API")
     */
    void shutdown(Duration drainTimeout, String reason);
}
