package io.musicfs.run.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One daemon per cache folder: an exclusive lock on {@code musicfs.lock} in it, taken before
 * anything else and held until the process ends. The file holds the owner's PID for the message a
 * second instance prints. The kernel drops the lock when the process dies, so a crash never
 * leaves a stale lock.
 */
final class InstanceLock implements AutoCloseable {

    static final String FILE = "musicfs.lock";

    private final FileChannel channel;
    private final FileLock lock;

    private InstanceLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    static InstanceLock acquire(Path cacheDir) throws StartupException {
        Path file = cacheDir.resolve(FILE);
        try {
            FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock lock = channel.tryLock();
            if (lock == null) {
                String owner = readPid(channel);
                channel.close();
                throw new StartupException("already running (PID " + owner + ") with cache folder " + cacheDir);
            }
            channel.truncate(0);
            channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
            channel.force(false);
            return new InstanceLock(channel, lock);
        } catch (IOException e) {
            throw new StartupException("cannot lock " + file + ": " + e.getMessage());
        }
    }

    private static String readPid(FileChannel channel) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(32);
        channel.read(buffer, 0);
        String pid = new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII).strip();
        return pid.isEmpty() ? "unknown" : pid;
    }

    @Override
    public void close() throws IOException {
        lock.release();
        channel.close();
    }
}
