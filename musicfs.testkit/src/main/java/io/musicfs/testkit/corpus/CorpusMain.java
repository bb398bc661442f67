package io.musicfs.testkit.corpus;

import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Makes a corpus from the command line, for benchmark and shell scripts:
 *
 * <pre>
 * java -cp musicfs.testkit/target/classes io.musicfs.testkit.corpus.CorpusMain \
 *     --tracks N --out DIR --truth FILE [--seed S] [--no-hard-cases] [--large-mb M] [--large-count C]
 *     [--formats flac,mp3,ogg-vorbis,opus,m4a,wav,aiff]
 * </pre>
 *
 * Exit status: 0 done, 2 bad arguments, 3 an encoder is missing, 1 any other failure.
 */
public final class CorpusMain {

    private static final String USAGE = "usage: CorpusMain --tracks N --out DIR --truth FILE [--seed S]"
            + " [--no-hard-cases] [--large-mb M] [--large-count C (default 2)] [--formats f1,f2,...]";
    private static final int DEFAULT_LARGE_COUNT = 2;

    private CorpusMain() {
    }

    public static void main(String[] args) {
        CorpusSpec spec;
        Path out;
        Path truth;
        try {
            Arguments a = Arguments.parse(args);
            spec = a.spec;
            out = a.out;
            truth = a.truth;
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }
        try {
            long start = System.nanoTime();
            Corpus corpus = CorpusGenerator.generate(out, spec);
            corpus.write(truth);
            long millis = (System.nanoTime() - start) / 1_000_000;
            System.out.printf("corpus: %d bulk tracks, %d present paths, %d absent paths in %s, truth %s, %d ms%n",
                    spec.tracks(), corpus.present().size(), corpus.absent().size(), out, truth, millis);
        } catch (MissingEncoderException e) {
            System.err.println(e.getMessage());
            System.exit(3);
        } catch (IOException | RuntimeException e) {
            System.err.println("corpus generation failed: " + e);
            e.printStackTrace();
            System.exit(1);
        }
    }

    /** The parsed command line. */
    private static final class Arguments {
        CorpusSpec spec;
        Path out;
        Path truth;

        static Arguments parse(String[] args) {
            Arguments a = new Arguments();
            Integer tracks = null;
            long seed = CorpusSpec.DEFAULT_SEED;
            boolean hardCases = true;
            long largeMb = 0;
            int largeCount = DEFAULT_LARGE_COUNT;
            Set<AudioFormat> formats = EnumSet.allOf(AudioFormat.class);
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                switch (arg) {
                    case "--tracks" -> tracks = Integer.parseInt(value(args, ++i, arg));
                    case "--out" -> a.out = Paths.get(value(args, ++i, arg));
                    case "--truth" -> a.truth = Paths.get(value(args, ++i, arg));
                    case "--seed" -> seed = Long.parseLong(value(args, ++i, arg));
                    case "--no-hard-cases" -> hardCases = false;
                    case "--large-mb" -> largeMb = Long.parseLong(value(args, ++i, arg));
                    case "--large-count" -> largeCount = Integer.parseInt(value(args, ++i, arg));
                    case "--formats" -> formats = Arrays.stream(value(args, ++i, arg).split(","))
                            .map(AudioFormat::byId)
                            .collect(Collectors.toCollection(() -> EnumSet.noneOf(AudioFormat.class)));
                    default -> throw new IllegalArgumentException("unknown argument: " + arg);
                }
            }
            if (tracks == null || a.out == null || a.truth == null) {
                throw new IllegalArgumentException("--tracks, --out and --truth are required");
            }
            CorpusSpec spec = CorpusSpec.of(tracks).withFormats(formats).withHardCases(hardCases).withSeed(seed);
            a.spec = largeMb > 0 ? spec.withLargeTracks(largeCount, largeMb << 20) : spec;
            return a;
        }

        private static String value(String[] args, int i, String option) {
            if (i >= args.length) {
                throw new IllegalArgumentException(option + " needs a value");
            }
            return args[i];
        }
    }
}
