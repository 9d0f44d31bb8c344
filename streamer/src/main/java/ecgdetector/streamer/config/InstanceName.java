package ecgdetector.streamer.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The stable name of one streamer instance among those sharing an application id: its static group membership
 * ({@code group.instance.id}, so a restart takes its partitions back at once) and the name of its state folder
 * (so instances on one host never share one). Given with {@code ecg.instance.name}; by default the host name,
 * which is what a Kubernetes StatefulSet, a Compose replica or a plain host keeps stable across restarts.
 */
public final class InstanceName {

    /** What an instance name may hold, in words. */
    public static final String RULE = "1-100 letters, digits, '.', '_' or '-', not starting with '.'";

    private static final Pattern LEGAL = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}");
    private static final String FALLBACK = "ecg-streamer";

    private InstanceName() {}

    public static boolean isValid(String name) {
        return name != null && LEGAL.matcher(name).matches();
    }

    /**
     * This host's name as an instance name: {@code $HOSTNAME} (Docker and Kubernetes set it to the container's
     * or pod's name), else what the JDK resolves, lower-cased, with anything outside the rule turned into '-'.
     */
    public static String ofThisHost(Map<String, String> env) {
        String host = env.get("HOSTNAME");
        if (host == null || host.isBlank()) {
            try {
                host = InetAddress.getLocalHost().getHostName();
            } catch (UnknownHostException e) {
                host = FALLBACK;
            }
        }
        String name = host.trim().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]", "-");
        if (name.length() > 100) {
            name = name.substring(0, 100);
        }
        return isValid(name) ? name : FALLBACK;
    }

    /**
     * The state folder of an instance unless {@code state.dir} is given: {@code
     * $XDG_DATA_HOME/ecg-detector/state/APPLICATION/NAME}, else {@code
     * ~/.local/share/ecg-detector/state/APPLICATION/NAME}. Per application as well as per instance: two
     * applications on one host, each with the default instance name (the host name), must not share a folder, whose
     * lock would refuse the second. Not the system temp folder, which every run with the same application id would
     * share (and an OS may clear), across clusters too.
     *
     * @param application the application id; Kafka's rule for it (letters, digits, '.', '_', '-') makes it a
     *     safe folder name
     */
    public static Path defaultStateFolder(String application, String name, Map<String, String> env, String userHome) {
        String xdg = env.get("XDG_DATA_HOME");
        Path base = xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()
                ? Path.of(xdg)
                : Path.of(userHome, ".local", "share");
        return base.resolve("ecg-detector")
                .resolve("state")
                .resolve(application)
                .resolve(name);
    }
}
