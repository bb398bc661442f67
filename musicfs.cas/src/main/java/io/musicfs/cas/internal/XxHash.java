package io.musicfs.cas.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import net.jpountz.xxhash.XXHash64;
import net.jpountz.xxhash.XXHashFactory;

/**
 * Picks the xxHash64 implementation chunks are hashed with: lz4-java's JNI library when it loads
 * here, else its pure Java code. Both give the same hashes; the JNI one runs at memory speed from
 * the first chunk (17-21 GB/s on this machine), while the Java one starts below 1 GB/s until the
 * JIT has compiled it, which costs a freshly started daemon's first reads dearly. lz4-java itself
 * only tries its JNI library when loaded by the system class loader, so inside OSGi it is asked for
 * explicitly, and checked against the Java result before it is used.
 */
final class XxHash {

    private static final Logger LOG = LoggerFactory.getLogger(XxHash.class);

    private XxHash() {
    }

    /** @return the implementation to use; logs which one and, for the fallback, why */
    static XXHash64 pick() {
        XXHash64 java = XXHashFactory.fastestJavaInstance().hash64();
        try {
            XXHash64 jni = XXHashFactory.nativeInstance().hash64();
            ByteBuffer probe = ByteBuffer.allocateDirect(64);
            probe.put("musicfs xxHash64 self-check: the same bytes, the same hash".getBytes(StandardCharsets.US_ASCII)).flip();
            long expected = java.hash(probe, 0, probe.limit(), 0);
            long actual = jni.hash(probe, 0, probe.limit(), 0);
            if (actual != expected) {
                LOG.warn("chunk cache: lz4-java's JNI xxHash64 gave {} where its Java code gives {}; hashing in Java", actual, expected);
                return java;
            }
            LOG.debug("chunk cache: hashing with lz4-java's JNI xxHash64");
            return jni;
        } catch (Throwable e) { // UnsatisfiedLinkError, a temp folder mounted noexec, another class loader holding the library
            LOG.info("chunk cache: lz4-java's JNI library is not usable here ({}); hashing in Java, slower until the JIT warms up", e.toString());
            return java;
        }
    }
}
