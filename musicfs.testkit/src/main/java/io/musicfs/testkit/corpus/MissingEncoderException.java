package io.musicfs.testkit.corpus;

/**
 * An encoder needed to make a template is not installed. The message names the Debian package
 * that provides it; tests that cannot run without it may catch this to skip.
 */
public final class MissingEncoderException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    private final String debianPackage;

    MissingEncoderException(String tool, String debianPackage, AudioFormat format) {
        super("encoder '" + tool + "' for " + format.id() + " templates is not on the PATH:"
                + " install the Debian package " + debianPackage + " (apt-get install " + debianPackage + ")");
        this.debianPackage = debianPackage;
    }

    /** @return the Debian package that provides the missing encoder, e.g. {@code opus-tools} */
    public String debianPackage() {
        return debianPackage;
    }
}
