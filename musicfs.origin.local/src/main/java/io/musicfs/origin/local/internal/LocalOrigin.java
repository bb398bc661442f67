package io.musicfs.origin.local.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemLoopException;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.EnumSet;
import java.util.Optional;
import java.util.function.Consumer;

import io.musicfs.api.origin.Origin;
import io.musicfs.api.origin.OriginChange;
import io.musicfs.api.origin.OriginEntry;
import io.musicfs.api.origin.OriginIds;
import io.musicfs.api.origin.OriginVisitor;
import io.musicfs.api.origin.OriginWatch;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An origin in a local folder (or anything mounted like one: a NAS over NFS or SMB). One instance
 * per factory configuration of {@code musicfs.origin.local}.
 *
 * <p>Stateless apart from its configuration and the watchers it started, so every method is safe
 * from any thread. Reads open the file for each call: positional reads of a fresh channel keep
 * concurrent readers independent, and the open costs microseconds against a chunk fetch.
 */
@Component(configurationPid = LocalOrigin.PID, configurationPolicy = ConfigurationPolicy.REQUIRE, service = Origin.class,
        property = Origin.PROP_TYPE + "=local")
@Designate(ocd = LocalOrigin.Config.class, factory = true)
public class LocalOrigin implements Origin {

    static final String PID = "musicfs.origin.local";
    private static final Logger LOG = LoggerFactory.getLogger(LocalOrigin.class);

    @ObjectClassDefinition(name = "MusicFS local origin", description = "A folder of music on this machine")
    public @interface Config {
        @AttributeDefinition(name = "Id", description = "Unique name of the origin: letters, digits, '.', '_' and '-'")
        String origin_id();

        @AttributeDefinition(name = "Priority", description = "Lower numbers are preferred when several origins hold a file")
        int origin_priority() default 10;

        @AttributeDefinition(name = "Path", description = "Absolute path of the music folder")
        String path();
    }

    private String id;
    private int priority;
    private Path root;
    private LocalWatch watch;

    @Activate
    void activate(Config config) {
        id = OriginIds.validate(config.origin_id());
        priority = config.origin_priority();
        String path = config.path();
        if (path == null || path.isBlank()) {
            throw new IllegalArgumentException("path: origin '" + id + "' has no path");
        }
        root = Path.of(path).toAbsolutePath().normalize();
        LOG.info("origin {}: local folder {} (priority {})", id, root, priority);
    }

    @Deactivate
    synchronized void deactivate() {
        if (watch != null) {
            watch.close();
            watch = null;
        }
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String type() {
        return "local";
    }

    @Override
    public int priority() {
        return priority;
    }

    @Override
    public boolean remote() {
        return false;
    }

    @Override
    public void walk(OriginVisitor visitor) throws IOException {
        checkRoot();
        Files.walkFileTree(root, EnumSet.of(FileVisitOption.FOLLOW_LINKS), Integer.MAX_VALUE, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                if (attrs.isRegularFile()) {
                    visitor.file(new OriginEntry(relative(file), attrs.size(), attrs.lastModifiedTime().toMillis(), null));
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException cause) {
                String what = cause instanceof FileSystemLoopException ? "symbolic link loop" : cause.toString();
                visitor.problem(relative(file), new IOException("origin " + id + ": skipped " + file + ": " + what, cause));
                return FileVisitResult.CONTINUE;
            }
        });
    }

    @Override
    public OriginEntry stat(String path) throws IOException {
        Path file = resolve(path);
        BasicFileAttributes attrs = Files.readAttributes(file, BasicFileAttributes.class);
        if (!attrs.isRegularFile()) {
            throw new NoSuchFileException(file.toString(), null, "not a regular file");
        }
        return new OriginEntry(path, attrs.size(), attrs.lastModifiedTime().toMillis(), null);
    }

    @Override
    public int read(String path, long offset, ByteBuffer dst) throws IOException {
        try (FileChannel channel = FileChannel.open(resolve(path), StandardOpenOption.READ)) {
            if (offset >= channel.size()) {
                return -1;
            }
            int total = 0;
            while (dst.hasRemaining()) {
                int n = channel.read(dst, offset + total);
                if (n < 0) {
                    break;
                }
                total += n;
            }
            return total;
        }
    }

    @Override
    public void probe() throws IOException {
        checkRoot();
    }

    @Override
    public synchronized Optional<OriginWatch> watch(Consumer<OriginChange> listener) throws IOException {
        checkRoot();
        LocalWatch started = new LocalWatch(id, root, listener);
        watch = started;
        return Optional.of(started);
    }

    private void checkRoot() throws IOException {
        if (!Files.isDirectory(root)) {
            throw new NoSuchFileException(root.toString(), null, "origin " + id + ": music folder is missing or not a folder");
        }
        if (!Files.isReadable(root) || !Files.isExecutable(root)) {
            throw new IOException("origin " + id + ": music folder " + root + " is not readable (permission denied)");
        }
    }

    /** Resolves a relative origin path, refusing any that would leave the origin's folder. */
    Path resolve(String path) throws NoSuchFileException {
        Path file = root.resolve(path).normalize();
        if (path.startsWith("/") || !file.startsWith(root) || file.equals(root)) {
            throw new NoSuchFileException(path, null, "origin " + id + ": path outside the origin");
        }
        return file;
    }

    String relative(Path file) {
        String rel = root.relativize(file).toString();
        return file.getFileSystem().getSeparator().equals("/") ? rel : rel.replace(file.getFileSystem().getSeparator(), "/");
    }
}
