package io.musicfs.control.internal;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.musicfs.api.cache.CacheAdmin;
import io.musicfs.api.cache.CacheStatus;
import io.musicfs.api.cache.PrefetchReport;
import io.musicfs.api.cache.Progress;
import io.musicfs.api.cache.VerifyReport;
import io.musicfs.api.health.HealthMonitor;
import io.musicfs.api.health.OriginHealth;
import io.musicfs.api.health.ServiceState;
import io.musicfs.api.library.Library;
import io.musicfs.api.library.Node;
import io.musicfs.api.library.SyncState;
import io.musicfs.api.library.TrackFile;
import io.musicfs.api.library.TreeSnapshot;
import io.musicfs.api.mount.Mount;
import io.musicfs.api.mount.MountStats;
import io.musicfs.api.supervision.Lifecycle;
import io.musicfs.api.supervision.Supervisor;

/**
 * Small hand-written implementations of the daemon's service interfaces, for testing the API layer
 * alone; the real services are exercised end to end in musicfs.itest's ControlIT.
 */
final class FakeServices implements Services {

    Library library;
    Mount mount;
    CacheAdmin cache;
    HealthMonitor health;
    Lifecycle lifecycle;
    Supervisor supervisor;
    List<OriginService> origins = new ArrayList<>();

    @Override
    public Library library() {
        return library;
    }

    @Override
    public Mount mount() {
        return mount;
    }

    @Override
    public CacheAdmin cache() {
        return cache;
    }

    @Override
    public HealthMonitor health() {
        return health;
    }

    @Override
    public Lifecycle lifecycle() {
        return lifecycle;
    }

    @Override
    public Supervisor supervisor() {
        return supervisor;
    }

    @Override
    public List<OriginService> origins() {
        return origins;
    }

    @Override
    public String version() {
        return "9.9.9";
    }

    @Override
    public Instant started() {
        return Instant.parse("2026-01-01T00:00:00Z");
    }

    /** A tree of directories and tracks, built from paths. */
    static final class Tree implements TreeSnapshot {
        private final Map<String, FakeNode> nodes = new LinkedHashMap<>();

        record FakeNode(String path, TrackFile track, long size) implements Node {
            @Override
            public long inode() {
                return path.hashCode();
            }

            @Override
            public String name() {
                return path.equals("/") ? "" : path.substring(path.lastIndexOf('/') + 1);
            }

            @Override
            public boolean isDirectory() {
                return track == null;
            }

            @Override
            public long mtimeMillis() {
                return 0;
            }
        }

        Tree(String originId, String... trackPaths) {
            nodes.put("/", new FakeNode("/", null, 0));
            long id = 1;
            for (String path : trackPaths) {
                String dir = path.substring(0, path.lastIndexOf('/'));
                while (!dir.isEmpty() && !nodes.containsKey(dir)) {
                    nodes.put(dir, new FakeNode(dir, null, 0));
                    dir = dir.substring(0, dir.lastIndexOf('/'));
                }
                nodes.put(path, new FakeNode(path, new TrackFile(id++, originId, "src" + path, 1000, 0, null), 1000));
            }
        }

        @Override
        public Node root() {
            return nodes.get("/");
        }

        @Override
        public Node lookup(String path) {
            return nodes.get(path);
        }

        @Override
        public List<Node> children(Node directory) {
            String prefix = ((FakeNode) directory).path().equals("/") ? "/" : ((FakeNode) directory).path() + "/";
            return nodes.values().stream().filter(n -> n.path().startsWith(prefix) && n.path().length() > prefix.length()
                    && n.path().indexOf('/', prefix.length()) < 0).map(n -> (Node) n).toList();
        }

        @Override
        public int trackCount() {
            return (int) nodes.values().stream().filter(n -> n.track() != null).count();
        }

        @Override
        public int directoryCount() {
            return nodes.size() - trackCount();
        }
    }

    static final class FakeLibrary implements Library {
        TreeSnapshot tree;
        final Map<String, SyncState> syncs = new LinkedHashMap<>();
        final List<String> rescans = java.util.Collections.synchronizedList(new ArrayList<>());

        @Override
        public TreeSnapshot tree() {
            return tree;
        }

        @Override
        public SyncState syncState(String originId) {
            return syncs.get(originId);
        }

        @Override
        public List<SyncState> syncStates() {
            return List.copyOf(syncs.values());
        }

        @Override
        public boolean rescan(String originId) {
            rescans.add(originId);
            return syncs.containsKey(originId);
        }
    }

    static final class FakeMount implements Mount {
        State state = State.MOUNTED;

        @Override
        public Path mountPoint() {
            return Path.of("/mnt/music");
        }

        @Override
        public State state() {
            return state;
        }

        @Override
        public String failure() {
            return null;
        }

        @Override
        public State awaitSettled(Duration timeout) {
            return state;
        }

        @Override
        public MountStats stats() {
            return new MountStats(2, 0, List.of());
        }

        @Override
        public boolean drain(Duration timeout) {
            return true;
        }
    }

    static final class FakeCache implements CacheAdmin {
        final List<String> cleared = new ArrayList<>();
        List<TrackFile> prefetched;

        @Override
        public CacheStatus status() {
            return new CacheStatus(CacheStatus.State.ACTIVE, null, 5 << 20, 100 << 20, 5, 30, 10, 1, 0, true, 10 << 20, 40 << 20);
        }

        @Override
        public VerifyReport verify(boolean all, Progress progress) {
            for (int i = 1; i <= 4; i++) {
                progress.update(i, 4);
            }
            return new VerifyReport(4, 1, 0, 2, true, Duration.ofMillis(1500));
        }

        @Override
        public long clear(String originId) {
            cleared.add(String.valueOf(originId));
            return 12345;
        }

        @Override
        public PrefetchReport prefetch(List<TrackFile> files, Progress progress) {
            prefetched = files;
            long total = files.stream().mapToLong(TrackFile::size).sum();
            progress.update(total, total);
            return new PrefetchReport(files.size(), total, 0);
        }

        @Override
        public void shedPrefetch(String reason) {
            throw new UnsupportedOperationException("the control API never sheds prefetch");
        }
    }

    static final class FakeHealth implements HealthMonitor {
        final List<OriginHealth> origins = new ArrayList<>();
        ServiceState state = ServiceState.READY;

        @Override
        public List<OriginHealth> origins() {
            return origins;
        }

        @Override
        public OriginHealth origin(String originId) {
            return origins.stream().filter(o -> o.originId().equals(originId)).findFirst().orElse(null);
        }

        @Override
        public ServiceState state() {
            return state;
        }
    }

    static final class FakeLifecycle implements Lifecycle {
        Duration drain;
        String reason;

        @Override
        public String version() {
            return "1.2.3";
        }

        @Override
        public Instant started() {
            return Instant.parse("2026-01-01T00:00:00Z");
        }

        @Override
        public void shutdown(Duration drainTimeout, String why) {
            drain = drainTimeout;
            reason = why;
        }
    }
}
