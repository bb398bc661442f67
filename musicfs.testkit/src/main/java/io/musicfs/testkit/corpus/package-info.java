/**
 * A generator of music libraries made of real, tagged audio files, and the truth a mount of such a
 * library must show.
 *
 * <p>{@link io.musicfs.testkit.corpus.CorpusGenerator} copies small templates encoded once by the
 * real encoders on the machine and writes their tags itself (never through the product's tag
 * library, so that a wrong reader makes tests fail). Every generated file is recorded in the
 * {@link io.musicfs.testkit.corpus.Corpus}: the path it must have in the mount (computed from the
 * tags the generator chose and the rules of {@code docs/paths.md}), its size and SHA-256, or the fact
 * that it must not be listed at all. The package uses the JDK only, so benchmark scripts can run
 * {@link io.musicfs.testkit.corpus.CorpusMain} from the module's classes alone.
 */
@Export
@Version("1.0.0")
package io.musicfs.testkit.corpus;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
