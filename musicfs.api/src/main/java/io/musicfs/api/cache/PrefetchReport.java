package io.musicfs.api.cache;

/**
 * What a prefetch did.
 *
 * @param files files asked for
 * @param fetchedBytes bytes fetched from origins (chunks already cached are not counted)
 * @param failed files that could not be fetched (origin down, cache in passthrough)
 */
public record PrefetchReport(int files, long fetchedBytes, int failed) {
}
