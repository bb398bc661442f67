package io.musicfs.catalog.internal.tags;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import io.musicfs.api.origin.Origin;
import io.musicfs.api.origin.OriginEntry;
import io.musicfs.api.origin.OriginVisitor;

/**
 * Test-only {@link Origin} over a local directory, counting what is read, with switchable faults.
 * Minimal on purpose: the real local origin is its own bundle.
 */
public class DirectoryOrigin implements Origin {

    private final String id;
    private final Path root;
    private final AtomicLong bytesRead = new AtomicLong();
    private final AtomicLong reads = new AtomicLong();

    /** When set, {@link #walk} fails as a whole with this message (an unreachable origin). */
    public volatile String walkFailure;
    /** When set, {@link #walk} fails after reporting this many files (a connection lost mid-listing). */
    public volatile int walkFailsAfter = -1;
    /** Paths reported through {@link OriginVisitor#problem} instead of being listed (an unreadable folder). */
    public final Set<String> problemPaths = ConcurrentHashMap.newKeySet();
    /** When set, every {@link #read} fails with this message. */
    public volatile String readFailure;

    public DirectoryOrigin(String id, Path root) {
        this.id = id;
        this.root = root;
    }

    public long bytesRead() {
        return bytesRead.get();
    }

    public long reads() {
        return reads.get();
    }

    public void resetCounters() {
        bytesRead.set(0);
        reads.set(0);
    }

    public Path root() {
        return root;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String type() {
        return "test-directory";
    }

    @Override
    public int priority() {
        return 0;
    }

    @Override
    public boolean remote() {
        return false;
    }

    @Override
    public void walk(OriginVisitor visitor) throws IOException {
        if (walkFailure != null) {
            throw new IOException("origin " + id + ": " + walkFailure);
        }
        List<Path> files = new ArrayList<>();
        try (Stream<Path> s = Files.walk(root)) {
            s.filter(Files::isRegularFile).sorted().forEach(files::add);
        }
        int n = 0;
        java.util.Set<String> reported = new java.util.HashSet<>();
        for (Path p : files) {
            String rel = relative(p);
            String problem = problemPaths.stream().filter(pp -> rel.equals(pp) || rel.startsWith(pp + "/")).findFirst().orElse(null);
            if (problem != null) {
                // a file or a whole folder the walk cannot read: reported once, nothing below it listed
                if (reported.add(problem)) {
                    visitor.problem(problem, new IOException("permission denied (injected)"));
                }
                continue;
            }
            if (walkFailsAfter >= 0 && n == walkFailsAfter) {
                throw new IOException("origin " + id + ": connection lost while listing (injected)");
            }
            visitor.file(entry(p, rel));
            n++;
        }
    }

    @Override
    public OriginEntry stat(String path) throws IOException {
        Path p = root.resolve(path);
        if (!Files.isRegularFile(p)) {
            throw new NoSuchFileException(path);
        }
        return entry(p, path);
    }

    @Override
    public int read(String path, long offset, ByteBuffer dst) throws IOException {
        if (readFailure != null) {
            throw new IOException("origin " + id + ": " + readFailure);
        }
        reads.incrementAndGet();
        try (FileChannel ch = FileChannel.open(root.resolve(path), StandardOpenOption.READ)) {
            if (offset >= ch.size()) {
                return -1;
            }
            int total = 0;
            while (dst.hasRemaining()) {
                int n = ch.read(dst, offset + total);
                if (n < 0) {
                    break;
                }
                total += n;
            }
            bytesRead.addAndGet(total);
            return total;
        }
    }

    @Override
    public void probe() throws IOException {
        if (walkFailure != null || !Files.isDirectory(root)) {
            throw new IOException("origin " + id + ": unreachable");
        }
    }

    private String relative(Path p) {
        return root.relativize(p).toString().replace(p.getFileSystem().getSeparator(), "/");
    }

    private static OriginEntry entry(Path p, String rel) throws IOException {
        BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
        return new OriginEntry(rel, a.size(), a.lastModifiedTime().toMillis(), null);
    }
}
