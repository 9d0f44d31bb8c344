package ecgdetector.app;

/**
 * A command of {@code ./ecg} that ships outside this module, so that the production image does not carry it:
 * a picocli {@code @Command} class with a public no-argument constructor, named in its jar's
 * {@code META-INF/services/ecgdetector.app.ExtensionCommand}. {@link Main} adds every one it finds on the class
 * path ({@link java.util.ServiceLoader}); {@code ./ecg} puts the bench module's jar there when it is built.
 */
public interface ExtensionCommand {}
