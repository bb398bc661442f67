package io.musicfs.origin.sftp.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

import javax.security.auth.login.LoginException;

import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.config.keys.FilePasswordProvider;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.util.security.SecurityUtils;

/**
 * Loads the private keys an origin logs in with, decrypting them with the passphrase from the
 * {@code passphraseFile} or the {@value #PASSPHRASE_ENV} environment variable. The passphrase
 * lives only while the keys are decoded and is never part of a message; keys are named by file and
 * public fingerprint.
 *
 * <p>Configured keys must all load; of the default keys ({@code ~/.ssh/id_*}, as ssh tries them)
 * the unusable ones are skipped with a warning, and at least one must load.
 */
final class UserKeys {

    static final String PASSPHRASE_ENV = "MUSICFS_SFTP_PASSPHRASE";

    /** One key the origin offers the server. */
    record Identity(Path file, KeyPair keyPair) {

        /** @return the file and the public key's type and fingerprint, for messages */
        String describe() {
            PublicKey key = keyPair.getPublic();
            return DisplayPaths.shorten(file) + " (" + KeyUtils.getKeyType(key) + " " + KeyUtils.getFingerPrint(key) + ")";
        }
    }

    /**
     * @param identities the keys to offer, in order
     * @param warnings what the user should fix (key or passphrase files others can read, default keys skipped), one line each
     */
    record Loaded(List<Identity> identities, List<String> warnings) {
    }

    /** Why a key could not be used, and which property to blame. */
    private static final class KeyProblem extends Exception {
        private static final long serialVersionUID = 1L;
        final String property;

        KeyProblem(String property, String message) {
            super(message, null, false, false);
            this.property = property;
        }
    }

    private UserKeys() {
    }

    /**
     * @param env the environment (a function so tests can give their own)
     * @throws IllegalArgumentException naming {@code privateKeyFile} or {@code passphraseFile} when the keys cannot be used
     */
    static Loaded load(SftpSettings settings, Function<String, String> env) {
        List<String> warnings = new ArrayList<>();
        String passphrase = null;
        String passphraseSource = null;
        Path passphraseFile = settings.passphraseFile();
        if (passphraseFile != null) {
            if (!Files.isRegularFile(passphraseFile) || !Files.isReadable(passphraseFile)) {
                throw new IllegalArgumentException("passphraseFile: " + DisplayPaths.shorten(passphraseFile)
                        + " does not exist or is not readable (origin '" + settings.id() + "')");
            }
            warnIfShared(passphraseFile, "passphrase file", warnings);
            try {
                passphrase = withoutLineEnd(Files.readString(passphraseFile, StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new IllegalArgumentException("passphraseFile: cannot read " + DisplayPaths.shorten(passphraseFile)
                        + " (" + e.getClass().getSimpleName() + "; origin '" + settings.id() + "')");
            }
            passphraseSource = "passphraseFile " + DisplayPaths.shorten(passphraseFile);
        } else {
            String fromEnv = env.apply(PASSPHRASE_ENV);
            if (fromEnv != null && !fromEnv.isEmpty()) {
                passphrase = fromEnv;
                passphraseSource = "the " + PASSPHRASE_ENV + " environment variable";
            }
        }

        List<Identity> identities = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (Path file : settings.privateKeyFiles()) {
            try {
                if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
                    throw new KeyProblem("privateKeyFile", DisplayPaths.shorten(file) + " does not exist or is not readable");
                }
                warnIfShared(file, "private key file", warnings);
                for (KeyPair pair : decode(file, passphrase, passphraseSource)) {
                    identities.add(new Identity(file, pair));
                }
            } catch (KeyProblem problem) {
                if (!settings.defaultKeys()) {
                    throw new IllegalArgumentException(problem.property + ": " + problem.getMessage() + " (origin '" + settings.id() + "')");
                }
                skipped.add(problem.getMessage());
            }
        }
        if (identities.isEmpty()) {
            throw new IllegalArgumentException("privateKeyFile: origin '" + settings.id() + "' has no usable private key: "
                    + String.join("; ", skipped));
        }
        for (String reason : skipped) {
            warnings.add("default key skipped: " + reason);
        }
        return new Loaded(List.copyOf(identities), List.copyOf(warnings));
    }

    private static List<KeyPair> decode(Path file, String passphrase, String passphraseSource) throws KeyProblem {
        try {
            List<KeyPair> pairs = read(file, passphrase);
            if (pairs.isEmpty()) {
                throw new KeyProblem("privateKeyFile", DisplayPaths.shorten(file) + " holds no private key");
            }
            return pairs;
        } catch (LoginException e) {
            throw new KeyProblem("privateKeyFile", DisplayPaths.shorten(file) + " is encrypted; give its passphrase in passphraseFile or the "
                    + PASSPHRASE_ENV + " environment variable");
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            if (passphrase != null && encrypted(file)) {
                throw new KeyProblem("passphraseFile", "the passphrase from " + passphraseSource + " does not decrypt " + DisplayPaths.shorten(file));
            }
            throw new KeyProblem("privateKeyFile", DisplayPaths.shorten(file) + " is not a private key that can be read ("
                    + e.getClass().getSimpleName() + ": " + e.getMessage() + ")");
        }
    }

    /** @return whether the key file can only be read with a passphrase (SSHD asks for one and fails without it) */
    private static boolean encrypted(Path file) {
        try {
            read(file, null);
            return false;
        } catch (LoginException e) {
            return true;
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }

    private static List<KeyPair> read(Path file, String passphrase) throws IOException, GeneralSecurityException, LoginException {
        try (InputStream in = Files.newInputStream(file)) {
            Iterable<KeyPair> pairs = SecurityUtils.loadKeyPairIdentities(null, NamedResource.ofName(DisplayPaths.shorten(file)), in,
                    passphrase == null ? null : FilePasswordProvider.of(passphrase));
            List<KeyPair> list = new ArrayList<>();
            if (pairs != null) {
                pairs.forEach(list::add);
            }
            return list;
        } catch (IOException | GeneralSecurityException e) {
            // SSHD wraps a missing passphrase in a LoginException, sometimes as the cause
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof LoginException login) {
                    throw login;
                }
            }
            throw e;
        }
    }

    private static void warnIfShared(Path file, String what, List<String> warnings) {
        try {
            Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
            if (permissions.contains(PosixFilePermission.GROUP_READ) || permissions.contains(PosixFilePermission.OTHERS_READ)) {
                warnings.add(what + " " + DisplayPaths.shorten(file) + " is readable by group or others ("
                        + PosixFilePermissions.toString(permissions) + "); protect it: chmod 600 " + DisplayPaths.shorten(file));
            }
        } catch (IOException | UnsupportedOperationException e) {
            // not a POSIX file system: nothing to check
        }
    }

    private static String withoutLineEnd(String text) {
        if (text.endsWith("\r\n")) {
            return text.substring(0, text.length() - 2);
        }
        return text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
    }
}
