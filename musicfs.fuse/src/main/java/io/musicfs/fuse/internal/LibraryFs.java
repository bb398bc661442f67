package io.musicfs.fuse.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import com.kenai.jffi.MemoryIO;

import io.musicfs.api.content.ContentReader;
import io.musicfs.api.library.Node;
import io.musicfs.api.library.TrackFile;
import io.musicfs.api.library.TreeSnapshot;
import io.musicfs.api.mount.MountStats;
import io.musicfs.fuse.internal.OperationMeter.Op;

import jnr.ffi.Pointer;
import jnr.ffi.Struct;
import ru.serce.jnrfuse.ErrorCodes;
import ru.serce.jnrfuse.FuseFillDir;
import ru.serce.jnrfuse.FuseStubFS;
import ru.serce.jnrfuse.struct.FileStat;
import ru.serce.jnrfuse.struct.FuseFileInfo;
import ru.serce.jnrfuse.struct.Statvfs;
import ru.serce.jnrfuse.struct.Timespec;

/**
 * The FUSE operations of the read-only library tree: paths are looked up in the current
 * {@link TreeSnapshot}, bytes come from the {@link ContentReader}.
 *
 * <p>Called on libfuse's worker threads, many at once. Holds no lock: each call reads the current
 * snapshot once, open files are found through {@link OpenFiles}, and a read writes straight into
 * the kernel's buffer (wrapped as a direct {@link ByteBuffer}, no copy).
 *
 * <p>Shutdown: {@link #drain} closes the gate (every operation that starts afterwards is answered
 * EIO at once), waits for the operations in flight, and at its deadline interrupts the reads still
 * waiting, which then answer EIO. The threads in a read are kept for that in {@link #reading}.
 */
final class LibraryFs extends FuseStubFS {

    private static final int O_ACCMODE = 3;
    private static final int DIR_MODE = FileStat.S_IFDIR | 0555;
    private static final int FILE_MODE = FileStat.S_IFREG | 0444;
    private static final int BLOCK_SIZE = 4096;
    /** how often a drain looks at the operations in flight */
    private static final long DRAIN_POLL_MILLIS = 10;
    /** how long interrupted reads get to answer EIO after a drain's deadline */
    private static final long INTERRUPTED_READ_GRACE_NANOS = 1_000_000_000L;

    private final Supplier<TreeSnapshot> tree;
    private final ContentReader content;
    private final OpenFiles openFiles = new OpenFiles();
    private final OperationMeter meter = new OperationMeter();
    private final ReadFailures failures;
    private final long uid;
    private final long gid;
    private final CompletableFuture<Void> initialised = new CompletableFuture<>();
    private final FaultPoints faults;
    /** threads inside {@link #read0}, interrupted when a drain runs out of time */
    private final Set<Thread> reading = ConcurrentHashMap.newKeySet();
    /** closed by {@link #drain}: operations starting afterwards fail with EIO */
    private volatile boolean closed;

    LibraryFs(Supplier<TreeSnapshot> tree, ContentReader content, ReadFailures failures, long uid, long gid) {
        this(tree, content, failures, uid, gid, FaultPoints.NONE);
    }

    LibraryFs(Supplier<TreeSnapshot> tree, ContentReader content, ReadFailures failures, long uid, long gid, FaultPoints faults) {
        this.tree = tree;
        this.content = content;
        this.failures = failures;
        this.faults = faults;
        this.uid = uid;
        this.gid = gid;
    }

    /** Completes when the kernel has initialised the mount. */
    CompletableFuture<Void> initialised() {
        return initialised;
    }

    int openFileCount() {
        return openFiles.size();
    }

    MountStats stats() {
        return new MountStats(openFiles.size(), meter.inFlight(), meter.snapshot());
    }

    /**
     * Closes the gate and waits for the operations in flight; at the deadline interrupts the reads
     * still running (they answer EIO) and gives them a moment to answer.
     *
     * @return whether everything in flight finished within the timeout
     */
    boolean drain(Duration timeout) throws InterruptedException {
        closed = true;
        if (awaitIdle(System.nanoTime() + timeout.toNanos())) {
            return true;
        }
        reading.forEach(Thread::interrupt);
        awaitIdle(System.nanoTime() + INTERRUPTED_READ_GRACE_NANOS);
        return false;
    }

    boolean closed() {
        return closed;
    }

    private boolean awaitIdle(long deadline) throws InterruptedException {
        while (meter.inFlight() > 0) {
            if (System.nanoTime() >= deadline) {
                return false;
            }
            Thread.sleep(DRAIN_POLL_MILLIS); // polling a counter with a deadline
        }
        return true;
    }

    /** Runs libfuse's main loop on the calling thread until the file system is unmounted. */
    int run(String[] args) {
        return libFuse.fuse_main_real(args.length, args, fuseOperations, Struct.size(fuseOperations), null);
    }

    @Override
    public Pointer init(Pointer conn) {
        initialised.complete(null);
        return null;
    }

    @Override
    public int getattr(String path, FileStat stat) {
        long start = meter.start();
        if (refuse()) {
            return meter.end(Op.GETATTR, start, -ErrorCodes.EIO());
        }
        return meter.end(Op.GETATTR, start, getattr0(path, stat));
    }

    private int getattr0(String path, FileStat stat) {
        Node node = tree.get().lookup(path);
        if (node == null) {
            return -ErrorCodes.ENOENT();
        }
        fill(stat, node);
        return 0;
    }

    @Override
    public int fgetattr(String path, FileStat stat, FuseFileInfo fi) {
        long start = meter.start();
        if (refuse()) {
            return meter.end(Op.GETATTR, start, -ErrorCodes.EIO());
        }
        return meter.end(Op.GETATTR, start, getattr0(path, stat));
    }

    private void fill(FileStat stat, Node node) {
        stat.st_ino.set(node.inode());
        stat.st_uid.set(uid);
        stat.st_gid.set(gid);
        if (node.isDirectory()) {
            stat.st_mode.set(DIR_MODE);
            stat.st_nlink.set(2);
        } else {
            stat.st_mode.set(FILE_MODE);
            stat.st_nlink.set(1);
            stat.st_size.set(node.size());
            stat.st_blocks.set((node.size() + 511) / 512);
        }
        stat.st_blksize.set(BLOCK_SIZE);
        setTime(stat.st_mtim, node.mtimeMillis());
        setTime(stat.st_ctim, node.mtimeMillis());
        setTime(stat.st_atim, node.mtimeMillis());
    }

    private static void setTime(Timespec time, long millis) {
        time.tv_sec.set(Math.floorDiv(millis, 1000));
        time.tv_nsec.set(Math.floorMod(millis, 1000) * 1_000_000L);
    }

    @Override
    public int readdir(String path, Pointer buf, FuseFillDir filler, long offset, FuseFileInfo fi) {
        long start = meter.start();
        if (refuse()) {
            return meter.end(Op.READDIR, start, -ErrorCodes.EIO());
        }
        return meter.end(Op.READDIR, start, readdir0(path, buf, filler, offset, fi));
    }

    private int readdir0(String path, Pointer buf, FuseFillDir filler, long offset, FuseFileInfo fi) {
        TreeSnapshot snapshot = tree.get();
        Node dir = snapshot.lookup(path);
        if (dir == null) {
            return -ErrorCodes.ENOENT();
        }
        if (!dir.isDirectory()) {
            return -ErrorCodes.ENOTDIR();
        }
        filler.apply(buf, ".", null, 0);
        filler.apply(buf, "..", null, 0);
        List<Node> children = snapshot.children(dir);
        for (Node child : children) {
            if (filler.apply(buf, child.name(), null, 0) != 0) {
                return -ErrorCodes.ENOMEM();
            }
        }
        return 0;
    }

    @Override
    public int open(String path, FuseFileInfo fi) {
        long start = meter.start();
        if (refuse()) {
            return meter.end(Op.OPEN, start, -ErrorCodes.EIO());
        }
        return meter.end(Op.OPEN, start, open0(path, fi));
    }

    private int open0(String path, FuseFileInfo fi) {
        Node node = tree.get().lookup(path);
        if (node == null) {
            return -ErrorCodes.ENOENT();
        }
        if (node.isDirectory()) {
            return -ErrorCodes.EISDIR();
        }
        if ((fi.flags.get() & O_ACCMODE) != 0) {
            return -ErrorCodes.EROFS();
        }
        fi.fh.set(openFiles.open(node.track()));
        return 0;
    }

    @Override
    public int read(String path, Pointer buf, long size, long offset, FuseFileInfo fi) {
        long start = meter.start();
        if (refuse()) {
            return meter.end(Op.READ, start, -ErrorCodes.EIO());
        }
        Thread self = Thread.currentThread();
        reading.add(self);
        try {
            return meter.end(Op.READ, start, read0(path, buf, size, offset, fi));
        } finally {
            reading.remove(self);
            if (closed) {
                Thread.interrupted(); // a drain's interrupt must not stay on libfuse's worker thread
            }
        }
    }

    /** The gate, checked after an operation is counted in flight so a drain cannot miss it. */
    private boolean refuse() {
        if (closed) {
            return true;
        }
        faults.beforeOperation();
        return closed;
    }

    private int read0(String path, Pointer buf, long size, long offset, FuseFileInfo fi) {
        TrackFile file = openFiles.get(fi.fh.get());
        if (file == null) {
            return -ErrorCodes.EBADF();
        }
        if (offset >= file.size() || size <= 0) {
            return 0;
        }
        ByteBuffer dst = MemoryIO.getInstance().newDirectByteBuffer(buf.address(), (int) Math.min(size, file.size() - offset));
        try {
            faults.beforeRead();
            int total = 0;
            while (dst.hasRemaining()) {
                int n = content.read(file, offset + total, dst);
                if (n <= 0) {
                    break;
                }
                total += n;
            }
            return total;
        } catch (IOException | RuntimeException e) {
            failures.failed(path, file, offset, size, e);
            return -ErrorCodes.EIO();
        }
    }

    @Override
    public int release(String path, FuseFileInfo fi) {
        long start = meter.start();
        if (refuse()) {
            return meter.end(Op.RELEASE, start, -ErrorCodes.EIO());
        }
        return meter.end(Op.RELEASE, start, release0(path, fi));
    }

    private int release0(String path, FuseFileInfo fi) {
        openFiles.release(fi.fh.get());
        return 0;
    }

    @Override
    public int statfs(String path, Statvfs stat) {
        long start = meter.start();
        if (refuse()) {
            return meter.end(Op.STATFS, start, -ErrorCodes.EIO());
        }
        return meter.end(Op.STATFS, start, statfs0(path, stat));
    }

    private int statfs0(String path, Statvfs stat) {
        TreeSnapshot snapshot = tree.get();
        long bytes = snapshot.root().size();
        stat.f_bsize.set(BLOCK_SIZE);
        stat.f_frsize.set(BLOCK_SIZE);
        stat.f_blocks.set((bytes + BLOCK_SIZE - 1) / BLOCK_SIZE);
        stat.f_bfree.set(0);
        stat.f_bavail.set(0);
        stat.f_files.set(snapshot.trackCount() + (long) snapshot.directoryCount());
        stat.f_ffree.set(0);
        stat.f_namemax.set(255);
        return 0;
    }

    @Override
    protected String getFSName() {
        return "musicfs";
    }
}
