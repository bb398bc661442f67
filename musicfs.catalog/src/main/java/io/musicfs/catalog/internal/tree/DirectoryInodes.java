package io.musicfs.catalog.internal.tree;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashSet;
import java.util.Set;

/**
 * Gives directories inode numbers that stay the same across restarts and rebuilds: derived from
 * the directory's case-folded virtual path, so a folder whose majority spelling changes keeps its
 * inode. Tracks use their catalog file id, which is below {@link #DIRECTORY_BIT}; every directory
 * inode has that bit set, so the two never meet, and none is 0 or {@link #ROOT}. Bit 63 stays
 * clear so the number is positive in Java and in a signed {@code ino_t}.
 * One instance serves one build on one thread.
 */
final class DirectoryInodes {

    /** FUSE's inode of the mount root. */
    static final long ROOT = 1;
    /** Set in every directory inode; file ids must stay below it. */
    static final long DIRECTORY_BIT = 1L << 62;

    private final MessageDigest sha256;
    /** Inodes handed out in this build, to re-derive on a hash collision (never seen in practice, but two directories must not share one). */
    private final Set<Long> used = new HashSet<>();

    DirectoryInodes() {
        try {
            // SHA-256 rather than a faster hash: the JDK guarantees it, and it never changes
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /**
     * @param foldedPath the directory's virtual path with every name folded by {@link NameOrder#key}, such as {@code /radiohead/ok computer (1997)}
     * @return its inode; call in a stable order, so that the rare collision resolves the same way every time
     */
    long of(String foldedPath) {
        for (int attempt = 0; ; attempt++) {
            String input = attempt == 0 ? foldedPath : foldedPath + '\0' + attempt;
            byte[] digest = sha256.digest(input.getBytes(StandardCharsets.UTF_8));
            long hash = 0;
            for (int i = 0; i < Long.BYTES; i++) {
                hash = hash << 8 | (digest[i] & 0xff);
            }
            long inode = hash & (DIRECTORY_BIT - 1) | DIRECTORY_BIT;
            if (used.add(inode)) {
                return inode;
            }
        }
    }

    /** @return how many directory inodes this build handed out: every directory but the root */
    int issued() {
        return used.size();
    }
}
