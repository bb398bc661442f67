package io.musicfs.origin.sftp.internal;

import io.musicfs.testkit.servers.SshdServer;

import java.nio.file.Path;

import io.musicfs.api.origin.Origin;
import io.musicfs.testkit.origin.OriginContract;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** The origin contract against a real OpenSSH server serving the fixture folder. */
class SftpOriginContractTest extends OriginContract {

    @TempDir
    static Path serverDir;
    static SshdServer server;
    static Path knownHosts;

    @BeforeAll
    static void startServer() throws Exception {
        server = SshdServer.start(serverDir.resolve("sshd"));
        knownHosts = server.writeKnownHosts(serverDir.resolve("known_hosts"));
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @Override
    protected Origin createOrigin(Path fixture) {
        return TestConfig.of("sftp-contract", server, knownHosts, fixture).activate();
    }

    @Override
    protected void closeOrigin(Origin origin) {
        ((SftpOrigin) origin).deactivate();
    }
}
