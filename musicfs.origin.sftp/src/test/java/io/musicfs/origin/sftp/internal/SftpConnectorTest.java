package io.musicfs.origin.sftp.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.apache.sshd.common.NamedFactory;
import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.cipher.BuiltinCiphers;
import org.apache.sshd.common.cipher.Cipher;
import org.junit.jupiter.api.Test;

class SftpConnectorTest {

    @Test
    void aesGcmIsPreferredAndNoCipherIsDropped() {
        List<NamedFactory<Cipher>> ssdhOrder = List.of(BuiltinCiphers.cc20p1305_openssh, BuiltinCiphers.aes128ctr,
                BuiltinCiphers.aes256ctr, BuiltinCiphers.aes128gcm, BuiltinCiphers.aes256gcm, BuiltinCiphers.aes128cbc);
        List<String> names = SftpConnector.fastCiphersFirst(ssdhOrder).stream().map(NamedResource::getName).toList();
        assertEquals(List.of("aes128-gcm@openssh.com", "aes256-gcm@openssh.com", "aes128-ctr", "aes256-ctr",
                "chacha20-poly1305@openssh.com", "aes128-cbc"), names);
    }
}
