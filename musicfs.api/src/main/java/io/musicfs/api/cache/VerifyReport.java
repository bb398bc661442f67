package io.musicfs.api.cache;

import java.time.Duration;

/**
 * What a verification of the cache found and did.
 *
 * @param checked chunks read and hashed
 * @param corrupt chunks whose bytes did not match their hash (dropped)
 * @param missing chunks the index knew that had no file (dropped from the index)
 * @param unindexed chunk files no index entry pointed to (deleted)
 * @param accountingFixed whether the size accounting was wrong and was corrected
 * @param took how long it ran
 */
public record VerifyReport(long checked, long corrupt, long missing, long unindexed, boolean accountingFixed, Duration took) {
}
