package io.musicfs.run.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import jnr.ffi.LibraryLoader;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * sd_notify: sends state lines (READY=1, STATUS=..., WATCHDOG=1, STOPPING=1) to the Unix datagram
 * socket systemd names in {@code NOTIFY_SOCKET}. Without that variable every call does nothing.
 *
 * <p>Why native: Java 17 has Unix domain sockets only for stream channels, and the notify socket is
 * a datagram socket. {@code systemd-notify} would work only with {@code NotifyAccess=all} (systemd
 * takes the message as coming from that child, not from the main PID) and cannot send from a
 * watchdog that must prove the daemon itself is alive. So the message goes out through libc's
 * {@code socket} and {@code sendto}, called with jnr-ffi (already used by the FUSE bridge,
 * embedded here as there). Thread-safe: one socket per message, no state.
 */
final class SystemdNotifier {

    private static final Logger LOG = LoggerFactory.getLogger(SystemdNotifier.class);
    private static final int AF_UNIX = 1;
    private static final int SOCK_DGRAM = 2;
    private static final int SOCK_CLOEXEC = 0x80000;
    /** sizeof(sockaddr_un.sun_path) on Linux */
    private static final int SUN_PATH_MAX = 108;

    /** The few libc calls needed; jnr-ffi binds them. */
    public interface LibC {
        int socket(int domain, int type, int protocol);

        long sendto(int fd, ByteBuffer buffer, long length, int flags, ByteBuffer address, int addressLength);

        int close(int fd);
    }

    private final String socket;
    private volatile LibC libc;
    private volatile boolean broken;

    private SystemdNotifier(String socket) {
        this.socket = socket;
    }

    /** @return a notifier for {@code NOTIFY_SOCKET} of the environment (doing nothing when it is unset) */
    static SystemdNotifier fromEnvironment(Map<String, String> env) {
        String socket = env.get("NOTIFY_SOCKET");
        return new SystemdNotifier(socket == null || socket.isBlank() ? null : socket);
    }

    boolean enabled() {
        return socket != null && !broken;
    }

    /** Sends one message of {@code KEY=value} lines; failures are logged once and never thrown. */
    void send(String message) {
        if (!enabled()) {
            return;
        }
        try {
            LibC c = libc();
            byte[] path = socket.getBytes(StandardCharsets.UTF_8);
            if (path.length >= SUN_PATH_MAX) {
                throw new IllegalArgumentException("NOTIFY_SOCKET is longer than " + (SUN_PATH_MAX - 1) + " bytes");
            }
            ByteBuffer address = ByteBuffer.allocateDirect(2 + SUN_PATH_MAX).order(ByteOrder.nativeOrder());
            address.putShort((short) AF_UNIX);
            address.put(path);
            int length = 2 + path.length;
            if (path[0] == '@') {
                address.put(2, (byte) 0); // abstract namespace: the name starts with a NUL, no terminator
            } else {
                address.put((byte) 0);
                length++;
            }
            address.flip(); // jnr-ffi passes a buffer from its position
            byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
            ByteBuffer data = ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
            int fd = c.socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
            if (fd < 0) {
                throw new IllegalStateException("socket(AF_UNIX, SOCK_DGRAM) failed");
            }
            try {
                long sent = c.sendto(fd, data, bytes.length, 0, address, length);
                if (sent < 0) {
                    LOG.warn("systemd notification '{}' to {} was not sent (sendto failed)", firstKey(message), socket);
                }
            } finally {
                c.close(fd);
            }
        } catch (LinkageError | RuntimeException e) {
            broken = true;
            LOG.error("cannot notify systemd through {} ({}); readiness and watchdog are not reported", socket, e.toString());
        }
    }

    private LibC libc() {
        LibC c = libc;
        if (c == null) {
            c = LibraryLoader.create(LibC.class).load("c");
            libc = c;
        }
        return c;
    }

    /**
     * The watchdog interval systemd expects ({@code WATCHDOG_USEC}), or 0 when the watchdog is off or
     * meant for another process ({@code WATCHDOG_PID}).
     */
    static long watchdogMicros(Map<String, String> env) {
        String usec = env.get("WATCHDOG_USEC");
        String pid = env.get("WATCHDOG_PID");
        if (usec == null || usec.isBlank()) {
            return 0;
        }
        if (pid != null && !pid.isBlank() && !pid.strip().equals(Long.toString(ProcessHandle.current().pid()))) {
            return 0;
        }
        try {
            return Math.max(0, Long.parseLong(usec.strip()));
        } catch (NumberFormatException e) {
            LOG.warn("WATCHDOG_USEC '{}' is not a number; the systemd watchdog is not served", usec);
            return 0;
        }
    }

    private static String firstKey(String message) {
        int eq = message.indexOf('=');
        return eq > 0 ? message.substring(0, eq) : message;
    }
}
