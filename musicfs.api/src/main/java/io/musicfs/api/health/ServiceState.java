package io.musicfs.api.health;

/** The state of the whole MusicFS service, as status, health checks and systemd see it. */
public enum ServiceState {
    /** the mount is being set up */
    MOUNTING,
    /** mounted, every origin healthy, no sync running */
    READY,
    /** mounted, a sync is running */
    SYNCING,
    /** mounted, but an origin is not healthy or the cache passes through */
    DEGRADED,
    /** mounted, no origin answers: only cached data is served */
    OFFLINE,
    /** shutting down */
    UNMOUNTING
}
