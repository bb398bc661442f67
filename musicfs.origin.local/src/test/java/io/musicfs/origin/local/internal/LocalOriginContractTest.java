package io.musicfs.origin.local.internal;

import java.nio.file.Path;

import io.musicfs.api.origin.Origin;
import io.musicfs.testkit.origin.OriginContract;

/** The origin contract against a real local folder. */
class LocalOriginContractTest extends OriginContract {

    @Override
    protected Origin createOrigin(Path fixture) {
        return LocalOriginTest.activate("local-contract", 1, fixture.toString());
    }
}
