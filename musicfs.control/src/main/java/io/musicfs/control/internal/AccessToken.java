package io.musicfs.control.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Set;

/**
 * The secret every control call must carry: 32 random bytes in hex, generated at first start into
 * a file only its owner can read (mode 0600), and kept across restarts so scripts keep working.
 */
final class AccessToken {

    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private final byte[] value;

    private AccessToken(String value) {
        this.value = value.getBytes(StandardCharsets.US_ASCII);
    }

    /** Reads the token from {@code file}, creating the file with a new token when there is none. */
    static AccessToken load(Path file) throws IOException {
        if (!Files.exists(file)) {
            byte[] random = new byte[32];
            new SecureRandom().nextBytes(random);
            try {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
                Files.writeString(file, HexFormat.of().formatHex(random) + "\n");
            } catch (FileAlreadyExistsException raced) {
                // another start wrote it first: use that one
            }
        }
        if (!Files.getPosixFilePermissions(file).equals(OWNER_ONLY)) {
            // a copied or hand-made token file: make it private again rather than refuse to start
            Files.setPosixFilePermissions(file, OWNER_ONLY);
        }
        String text = Files.readString(file, StandardCharsets.US_ASCII).strip();
        if (text.length() < 32) {
            throw new IOException("control token file " + file + " holds no usable token (delete it to get a new one)");
        }
        return new AccessToken(text);
    }

    /** @return whether {@code presented} is the token; compares in constant time */
    boolean matches(String presented) {
        return presented != null && MessageDigest.isEqual(value, presented.strip().getBytes(StandardCharsets.US_ASCII));
    }

    @Override
    public String toString() {
        return "AccessToken[redacted]";
    }
}
