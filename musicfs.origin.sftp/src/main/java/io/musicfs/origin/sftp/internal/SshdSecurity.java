package io.musicfs.origin.sftp.internal;

import java.security.Provider;

import net.i2p.crypto.eddsa.EdDSASecurityProvider;

import org.apache.sshd.common.util.security.SecurityUtils;
import org.apache.sshd.common.util.security.eddsa.EdDSASecurityProviderRegistrar;

/**
 * Sets SSHD's security providers up for a life inside OSGi, once per bundle class loader and before
 * SSHD would do it on its own. By default SSHD adds the net.i2p EdDSA provider to the JVM-wide
 * {@link java.security.Security} list and reuses any provider of that name it finds there: after
 * this bundle is updated, the new SSHD would take the old bundle's provider, whose key classes it
 * cannot use (ed25519 keys fail with "key spec not recognised: EdDSAPublicKeySpec"), and the old
 * class loader would never be freed. Here EdDSA is this bundle's own provider instance, handed to
 * SSHD directly and never registered JVM-wide. BouncyCastle is switched off: it is not embedded,
 * and SSHD would otherwise find a copy on the system class path, register it JVM-wide and route
 * work to it, while SSHD's own BouncyCastle code in this bundle cannot see those classes (its
 * imports are optional and left unwired).
 */
final class SshdSecurity {

    private static boolean ready; // guarded by SshdSecurity.class

    private SshdSecurity() {
    }

    static synchronized void init() {
        if (ready) {
            return;
        }
        SecurityUtils.setAPrioriDisabledProvider(SecurityUtils.BOUNCY_CASTLE, true);
        SecurityUtils.registerSecurityProvider(new BundleEdDSA());
        ready = true;
    }

    /** The EdDSA registrar with this bundle's provider instance, used by instance rather than by its JVM-wide name. */
    private static final class BundleEdDSA extends EdDSASecurityProviderRegistrar {

        private final Provider provider = new EdDSASecurityProvider();

        @Override
        public boolean isNamedProviderUsed() {
            return false;
        }

        @Override
        public Provider getSecurityProvider() {
            return provider;
        }
    }
}
