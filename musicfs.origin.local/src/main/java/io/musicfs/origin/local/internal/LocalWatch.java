package io.musicfs.origin.local.internal;

import static java.nio.file.StandardWatchEventKinds.ENTRY_CREATE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_DELETE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_MODIFY;
import static java.nio.file.StandardWatchEventKinds.OVERFLOW;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.EnumSet;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

import io.musicfs.api.origin.OriginChange;
import io.musicfs.api.origin.OriginWatch;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches a local origin's folder tree with the platform's watch service (inotify on Linux),
 * registering every directory, and new ones as they appear. Changes go to the listener on the
 * watch thread; a lost event (queue overflow, a directory that could not be registered) becomes
 * {@link OriginChange.Kind#OVERFLOW} so the catalog walks the origin again.
 *
 * <p>Owns one daemon thread, stopped by {@link #close()}.
 */
final class LocalWatch implements OriginWatch {

    private static final Logger LOG = LoggerFactory.getLogger(LocalWatch.class);

    private final String originId;
    private final Path root;
    private final Consumer<OriginChange> listener;
    private final WatchService service;
    private final Map<WatchKey, Path> directories = new ConcurrentHashMap<>();
    private final Thread thread;
    private volatile boolean closed;

    LocalWatch(String originId, Path root, Consumer<OriginChange> listener) throws IOException {
        this.originId = originId;
        this.root = root;
        this.listener = listener;
        this.service = root.getFileSystem().newWatchService();
        registerTree(root, file -> { });
        thread = new Thread(this::run, "musicfs-watch-" + originId);
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Registers a directory and everything below it, handing each regular file found to
     * {@code files}; returns false when some directory could not be watched.
     */
    private boolean registerTree(Path top, Consumer<Path> files) {
        boolean[] complete = {true};
        try {
            Files.walkFileTree(top, EnumSet.of(FileVisitOption.FOLLOW_LINKS), Integer.MAX_VALUE, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                    try {
                        directories.put(dir.register(service, ENTRY_CREATE, ENTRY_DELETE, ENTRY_MODIFY), dir);
                    } catch (IOException e) {
                        complete[0] = false;
                        LOG.warn("origin {}: cannot watch {} ({}); changes there are picked up by the next sync", originId, dir, e.toString());
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    if (attrs.isRegularFile()) {
                        files.accept(file);
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            complete[0] = false;
            LOG.warn("origin {}: cannot watch {}: {}", originId, top, e.toString());
        }
        return complete[0];
    }

    private void run() {
        while (!closed) {
            WatchKey key;
            try {
                key = service.take();
            } catch (InterruptedException | ClosedWatchServiceException e) {
                return;
            }
            Path dir = directories.get(key);
            for (WatchEvent<?> event : key.pollEvents()) {
                try {
                    dispatch(dir, event);
                } catch (RuntimeException e) {
                    LOG.warn("origin {}: change listener failed on {}: {}", originId, event.context(), e.toString(), e);
                }
            }
            if (!key.reset()) {
                directories.remove(key);
            }
        }
    }

    private void dispatch(Path dir, WatchEvent<?> event) {
        if (event.kind() == OVERFLOW || dir == null) {
            listener.accept(new OriginChange(OriginChange.Kind.OVERFLOW, ""));
            return;
        }
        Path changed = dir.resolve((Path) event.context());
        String rel = relative(changed);
        if (event.kind() == ENTRY_CREATE) {
            if (Files.isDirectory(changed)) {
                // A folder moved or copied in: its files were never seen, report each of them.
                boolean complete = registerTree(changed,
                        file -> listener.accept(new OriginChange(OriginChange.Kind.CREATED, relative(file))));
                if (!complete) {
                    listener.accept(new OriginChange(OriginChange.Kind.OVERFLOW, ""));
                }
                return;
            }
            listener.accept(new OriginChange(OriginChange.Kind.CREATED, rel));
        } else if (event.kind() == ENTRY_DELETE) {
            listener.accept(new OriginChange(OriginChange.Kind.DELETED, rel));
        } else {
            listener.accept(new OriginChange(OriginChange.Kind.MODIFIED, rel));
        }
    }

    private String relative(Path file) {
        return root.relativize(file).toString();
    }

    @Override
    public void close() {
        closed = true;
        try {
            service.close();
        } catch (IOException e) {
            LOG.debug("origin {}: closing the watch service: {}", originId, e.toString());
        }
        thread.interrupt();
    }
}
