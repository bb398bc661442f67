package io.musicfs.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;
import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.cleanCaches;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.mavenBundle;
import static org.ops4j.pax.exam.CoreOptions.options;
import static org.ops4j.pax.exam.CoreOptions.systemPackage;
import static org.ops4j.pax.exam.CoreOptions.systemPackages;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Hashtable;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.inject.Inject;

import io.musicfs.api.content.ContentReader;
import io.musicfs.api.content.ManifestStore;
import io.musicfs.api.content.OriginRouter;
import io.musicfs.api.library.Library;
import io.musicfs.api.mount.Mount;
import io.musicfs.api.origin.Origin;
import io.musicfs.testkit.corpus.Corpus;
import io.musicfs.testkit.corpus.CorpusGenerator;
import io.musicfs.testkit.corpus.CorpusSpec;
import io.musicfs.testkit.corpus.TruthEntry;

import org.junit.After;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Info;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerMethod;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.util.tracker.ServiceTracker;

/**
 * The assembled bundles in a real Felix framework with a real FUSE mount: the services come up
 * from Configuration Admin alone, and the origin bundle can be stopped and started while the
 * mount stays up.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerMethod.class)
public class RuntimeIT {

    private static final long TIMEOUT_MILLIS = TimeUnit.SECONDS.toMillis(120);

    @Inject
    BundleContext context;

    @Inject
    ConfigurationAdmin configurationAdmin;

    Path mountPoint;

    @Configuration
    public Option[] config() {
        return options(
                junitBundles(),
                paxExamApiFromTheClassPath(),
                systemPackage("sun.misc"),
                // Bundles see only what they import, as under the launcher. With Felix's implicit boot
                // delegation, a lookup made on the test's thread (its stack full of class path classes)
                // also reached the test's class path: slf4j's ServiceLoader found the class path's
                // slf4j-simple there ("not a subtype") and the bundles logged nothing.
                frameworkProperty("felix.bootdelegation.implicit").value("false"),
                mavenBundle("org.osgi", "org.osgi.util.function").versionAsInProject(),
                mavenBundle("org.osgi", "org.osgi.util.promise").versionAsInProject(),
                mavenBundle("org.osgi", "org.osgi.service.component").versionAsInProject(),
                mavenBundle("org.apache.felix", "org.apache.felix.scr").versionAsInProject(),
                mavenBundle("org.apache.felix", "org.apache.felix.configadmin").versionAsInProject(),
                mavenBundle("org.apache.felix", "org.apache.felix.eventadmin").versionAsInProject(),
                mavenBundle("org.ow2.asm", "asm").versionAsInProject(),
                mavenBundle("org.ow2.asm", "asm-commons").versionAsInProject(),
                mavenBundle("org.ow2.asm", "asm-tree").versionAsInProject(),
                mavenBundle("org.ow2.asm", "asm-util").versionAsInProject(),
                mavenBundle("org.ow2.asm", "asm-analysis").versionAsInProject(),
                mavenBundle("org.apache.aries.spifly", "org.apache.aries.spifly.dynamic.bundle").versionAsInProject(),
                mavenBundle("org.slf4j", "slf4j-api").versionAsInProject(),
                mavenBundle("org.slf4j", "slf4j-simple").versionAsInProject(),
                mavenBundle("org.apache.felix", "org.apache.felix.healthcheck.api").versionAsInProject(),
                reactorBundle("musicfs.api"),
                reactorBundle("musicfs.testkit"),
                reactorBundle("musicfs.health"),
                reactorBundle("musicfs.origin.local"),
                reactorBundle("musicfs.catalog"),
                reactorBundle("musicfs.cas"),
                reactorBundle("musicfs.fuse"),
                cleanCaches());
    }

    /**
     * The native container looks the probe's {@code ProbeInvoker} service up through the system
     * bundle, with the Pax Exam classes of the test's class path. Felix 7 lets the system bundle load
     * any class of that class path, so it filters out a service whose interface came from the Pax
     * Exam bundle inside the framework: the lookup never sees it. Exporting the Pax Exam API from
     * the system bundle makes the framework's bundles and the test share one copy of it.
     */
    private static Option paxExamApiFromTheClassPath() {
        String version = ";version=" + Info.getPaxExamVersion();
        return systemPackages(
                "org.ops4j.pax.exam" + version,
                "org.ops4j.pax.exam.options" + version,
                "org.ops4j.pax.exam.options.extra" + version,
                "org.ops4j.pax.exam.util" + version);
    }

    /** A bundle of this build, straight from its module's target folder (no install needed). */
    private static Option reactorBundle(String module) {
        Path jar = Path.of(System.getProperty("musicfs.root"), module, System.getProperty("musicfs.target", "target"),
                module + "-" + System.getProperty("musicfs.version") + ".jar");
        return bundle(jar.toUri().toString());
    }

    @After
    public void unmount() throws Exception {
        for (org.osgi.service.cm.Configuration c : configurationAdmin.listConfigurations(null)) {
            c.delete();
        }
        if (mountPoint != null) {
            // Deleting the configuration unmounts, asynchronously: only what is left after that is
            // unmounted by hand (a second fusermount racing the bridge's own makes one of them fail).
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (Mounts.isMounted(mountPoint) && System.nanoTime() < deadline) {
                Thread.sleep(50); // polling a condition with a deadline
            }
            Mounts.forceUnmount(mountPoint);
            deleteTree(mountPoint.getParent());
        }
    }

    /**
     * Deletes the test's folder. The components deactivate asynchronously after their configurations
     * are deleted, so the catalog may still be closing its database (removing its lock file) while
     * the folder is walked: a file that vanishes meanwhile makes the walk start over.
     */
    private static void deleteTree(Path dir) throws IOException {
        for (int attempt = 1;; attempt++) {
            try (java.util.stream.Stream<Path> paths = Files.walk(dir)) {
                for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
                return;
            } catch (java.nio.file.NoSuchFileException | java.io.UncheckedIOException vanished) {
                if (!Files.exists(dir)) {
                    return;
                }
                if (attempt == 5) {
                    throw vanished instanceof java.io.UncheckedIOException u ? u.getCause() : (IOException) vanished;
                }
            }
        }
    }

    @Test
    public void originBundleStopsAndStartsWhileTheMountStaysUp() throws Exception {
        Path tmp = Files.createTempDirectory("musicfs-runtime-it");
        Path music = tmp.resolve("music");
        Corpus corpus = CorpusGenerator.generate(music, CorpusSpec.of(40));
        List<TruthEntry> truth = corpus.present();
        mountPoint = Files.createDirectories(tmp.resolve("mnt"));
        configure(tmp, music);

        Mount mount = await(Mount.class);
        assertEquals(Mount.State.MOUNTED, mount.awaitSettled(Duration.ofMillis(TIMEOUT_MILLIS)));
        Library library = await(Library.class);
        awaitTracks(library, truth.size());
        assertNotNull(await(ManifestStore.class));
        assertNotNull(await(ContentReader.class));
        assertNotNull(await(OriginRouter.class));
        assertNotNull(await(Origin.class));

        MountedTree.assertMatches(mountPoint, truth);          // reads every track: all of it is cached now
        Path uncachedSource = music.resolve("zz-late-arrival.flac");
        TruthEntry late = truth.stream().filter(t -> t.sourcePath().endsWith(".flac")).findFirst().orElseThrow();
        Files.copy(music.resolve(late.sourcePath()), uncachedSource);
        String latePath = late.virtualPath().replaceFirst("\\.flac$", " (2).flac");
        MountedTree.await(mountPoint, seen -> seen.containsKey(latePath), 30, "the new track appearing");

        Bundle origin = installed("musicfs.origin.local");
        origin.stop();
        assertNull("no origin service while its bundle is stopped", context.getServiceReference(Origin.class));
        assertEquals(Mount.State.MOUNTED, mount.state());
        assertTrue(Mounts.isMounted(mountPoint));
        MountedTree.assertPaths(mountPoint, truthWith(truth, late, latePath));   // the tree stays complete
        MountedTree.assertBytes(mountPoint, truth);                              // cached tracks still play
        try {
            MountedTree.sha256(mountPoint.resolve(latePath));
            fail("an uncached track cannot be read while its only origin is gone");
        } catch (IOException expected) {
            // EIO, quickly
        }

        origin.start();
        await(Origin.class);
        MountedTree.assertMatches(mountPoint, truthWith(truth, late, latePath));
        assertEquals(late.sha256(), MountedTree.sha256(mountPoint.resolve(latePath)));
    }

    private static List<TruthEntry> truthWith(List<TruthEntry> truth, TruthEntry copyOf, String path) {
        List<TruthEntry> all = new java.util.ArrayList<>(truth);
        all.add(new TruthEntry(copyOf.caseId(), "zz-late-arrival.flac", path, copyOf.size(), copyOf.sha256(), copyOf.format(),
                copyOf.tagLayout(), copyOf.tags()));
        return all;
    }

    private void configure(Path tmp, Path music) throws IOException {
        Hashtable<String, Object> catalog = new Hashtable<>();
        catalog.put("databaseDir", tmp.resolve("cache/catalog").toString());
        configurationAdmin.getConfiguration("musicfs.catalog", "?").update(catalog);
        Hashtable<String, Object> cas = new Hashtable<>();
        cas.put("cacheDir", tmp.resolve("cache").toString());
        configurationAdmin.getConfiguration("musicfs.cas", "?").update(cas);
        Hashtable<String, Object> origin = new Hashtable<>();
        origin.put("origin.id", "music");
        origin.put("origin.priority", 1);
        origin.put("path", music.toString());
        configurationAdmin.getFactoryConfiguration("musicfs.origin.local", "music", "?").update(origin);
        Hashtable<String, Object> fuse = new Hashtable<>();
        fuse.put("mountPoint", mountPoint.toString());
        configurationAdmin.getConfiguration("musicfs.fuse", "?").update(fuse);
    }

    private Bundle installed(String symbolicName) {
        for (Bundle b : context.getBundles()) {
            if (b.getSymbolicName().equals(symbolicName)) {
                return b;
            }
        }
        throw new AssertionError("bundle " + symbolicName + " is not installed");
    }

    private <T> T await(Class<T> type) throws InterruptedException {
        ServiceTracker<T, T> tracker = new ServiceTracker<>(context, type, null);
        tracker.open();
        try {
            T service = tracker.waitForService(TIMEOUT_MILLIS);
            assertNotNull(type.getSimpleName() + " service within " + TIMEOUT_MILLIS + " ms", service);
            return service;
        } finally {
            tracker.close();
        }
    }

    private static void awaitTracks(Library library, int expected) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MILLIS);
        while (library.tree().trackCount() != expected) {
            if (System.nanoTime() > deadline) {
                fail("the tree has " + library.tree().trackCount() + " tracks, expected " + expected);
            }
            Thread.sleep(100); // polling a condition with a deadline
        }
    }
}
