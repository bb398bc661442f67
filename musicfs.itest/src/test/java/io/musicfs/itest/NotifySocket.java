package io.musicfs.itest;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import jnr.ffi.LibraryLoader;

/**
 * What systemd is to the daemon's sd_notify: a Unix datagram socket bound at a path, collecting
 * every message sent to it. Native calls through jnr-ffi (the JDK has no Unix datagram sockets).
 */
final class NotifySocket implements AutoCloseable {

    /** libc calls used */
    public interface LibC {
        int socket(int domain, int type, int protocol);

        int bind(int fd, ByteBuffer address, int length);

        long recv(int fd, ByteBuffer buffer, long length, int flags);

        int close(int fd);
    }

    private static final int AF_UNIX = 1;
    private static final int SOCK_DGRAM = 2;
    private static final int MSG_DONTWAIT = 0x40;
    private static final LibC LIBC = LibraryLoader.create(LibC.class).load("c");

    private final int fd;
    private final List<String> messages = new ArrayList<>();
    private final Thread receiver;
    private volatile boolean closed;

    NotifySocket(Path path) {
        fd = LIBC.socket(AF_UNIX, SOCK_DGRAM, 0);
        if (fd < 0) {
            throw new IllegalStateException("socket() failed");
        }
        byte[] name = path.toString().getBytes(StandardCharsets.UTF_8);
        ByteBuffer address = ByteBuffer.allocateDirect(110).order(ByteOrder.nativeOrder());
        address.putShort((short) AF_UNIX).put(name).put((byte) 0).flip(); // jnr-ffi passes a buffer from its position
        if (LIBC.bind(fd, address, 2 + name.length + 1) != 0) {
            throw new IllegalStateException("bind(" + path + ") failed");
        }
        receiver = new Thread(this::receive, "notify-socket");
        receiver.setDaemon(true);
        receiver.start();
    }

    private void receive() {
        ByteBuffer buffer = ByteBuffer.allocateDirect(4096);
        while (!closed) {
            buffer.clear();
            long n = LIBC.recv(fd, buffer, buffer.capacity(), MSG_DONTWAIT);
            if (n > 0) {
                byte[] bytes = new byte[(int) n];
                buffer.get(0, bytes);
                synchronized (messages) {
                    messages.add(new String(bytes, StandardCharsets.UTF_8));
                    messages.notifyAll();
                }
            } else {
                try {
                    Thread.sleep(10); // polling a non-blocking socket
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    /** @return every message so far, in arrival order */
    List<String> messages() {
        synchronized (messages) {
            return List.copyOf(messages);
        }
    }

    /** @return the number of messages so far that contain {@code line} as one of their lines */
    long count(String line) {
        return messages().stream().filter(m -> m.lines().anyMatch(line::equals)).count();
    }

    /** Waits for a message matching {@code test} that arrives after the first {@code after} messages. */
    String await(Predicate<String> test, int after, long timeoutSeconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        synchronized (messages) {
            while (true) {
                for (int i = after; i < messages.size(); i++) {
                    if (test.test(messages.get(i))) {
                        return messages.get(i);
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("no matching notification within " + timeoutSeconds + " s; received: " + messages);
                }
                TimeUnit.NANOSECONDS.timedWait(messages, left);
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        closed = true;
        receiver.join(1000);
        LIBC.close(fd);
    }
}
