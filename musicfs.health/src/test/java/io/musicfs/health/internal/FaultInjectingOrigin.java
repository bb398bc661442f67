package io.musicfs.health.internal;

import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import io.musicfs.api.origin.Origin;
import io.musicfs.api.origin.OriginEntry;
import io.musicfs.api.origin.OriginVisitor;
import io.musicfs.origin.local.internal.LocalOrigin;

/**
 * A real origin with switchable faults on its probe: pass through, fail, fail name resolution, or
 * hang (ignoring interrupts, as a dead NFS server does) until released.
 */
final class FaultInjectingOrigin implements Origin {

    enum Mode { PASS, FAIL, DNS, HANG }

    private final Origin real;
    private final boolean remote;
    private final int priority;
    private volatile Mode mode = Mode.PASS;
    private volatile CountDownLatch release = new CountDownLatch(1);
    final AtomicInteger probes = new AtomicInteger();

    FaultInjectingOrigin(Origin real, boolean remote, int priority) {
        this.real = real;
        this.remote = remote;
        this.priority = priority;
    }

    /** A real local origin of the folder, as its DS component would be configured. */
    static Origin local(String id, Path folder) throws Exception {
        LocalOrigin origin = new LocalOrigin();
        Object config = Proxy.newProxyInstance(LocalOrigin.Config.class.getClassLoader(), new Class<?>[] { LocalOrigin.Config.class },
                (proxy, method, args) -> switch (method.getName()) {
                    case "origin_id" -> id;
                    case "origin_priority" -> 10;
                    case "path" -> folder.toString();
                    default -> method.getDefaultValue();
                });
        Method activate = LocalOrigin.class.getDeclaredMethod("activate", LocalOrigin.Config.class);
        activate.setAccessible(true);
        activate.invoke(origin, config);
        return origin;
    }

    void mode(Mode next) {
        if (mode == Mode.HANG && next != Mode.HANG) {
            release.countDown();
        }
        if (next == Mode.HANG) {
            release = new CountDownLatch(1);
        }
        mode = next;
    }

    @Override
    public void probe() throws IOException {
        probes.incrementAndGet();
        switch (mode) {
            case FAIL -> throw new IOException("origin " + id() + ": injected failure");
            case DNS -> throw new UnknownHostException("nas.invalid: Name or service not known");
            case HANG -> {
                boolean interrupted = false;
                while (true) {
                    try {
                        release.await();
                        break;
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
            default -> {
            }
        }
        real.probe();
    }

    public String id() { return real.id(); }
    public String type() { return remote ? "sftp" : real.type(); }
    public int priority() { return priority; }
    public boolean remote() { return remote; }
    public void walk(OriginVisitor visitor) throws IOException { real.walk(visitor); }
    public OriginEntry stat(String path) throws IOException { return real.stat(path); }
    public int read(String path, long offset, ByteBuffer dst) throws IOException { return real.read(path, offset, dst); }
}
