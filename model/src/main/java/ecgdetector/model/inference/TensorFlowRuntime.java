package ecgdetector.model.inference;

import ai.djl.engine.Engine;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.bytedeco.javacpp.Loader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts DJL's TensorFlow engine on the natives shipped in {@code org.tensorflow:tensorflow-core-native}, so
 * nothing is ever downloaded at run time. DJL's own native jar for TF 2.16 is not on Maven Central, and
 * without natives DJL would try the network and fail offline.
 *
 * <p>The order matters: TensorFlow Java (via JavaCPP) unpacks and loads the natives first, then DJL is
 * pointed at the folder they were unpacked to.
 */
public final class TensorFlowRuntime {

    private static final Logger log = LoggerFactory.getLogger(TensorFlowRuntime.class);
    private static final String JNI_LIBRARY = "libjnitensorflow.so";
    private static Engine engine;

    private TensorFlowRuntime() {}

    /** The TensorFlow engine, started on first use. */
    public static synchronized Engine engine() {
        if (engine == null) {
            long start = System.nanoTime();
            System.setProperty("ai.djl.offline", System.getProperty("ai.djl.offline", "true"));
            String tfVersion = org.tensorflow.TensorFlow.version();
            if (System.getProperty("TENSORFLOW_LIBRARY_PATH") == null
                    && System.getenv("TENSORFLOW_LIBRARY_PATH") == null) {
                System.setProperty("TENSORFLOW_LIBRARY_PATH", nativeFolder().toString());
            }
            engine = Engine.getEngine("TensorFlow");
            log.info("TensorFlow {} engine ready in {} ms", tfVersion, (System.nanoTime() - start) / 1_000_000);
        }
        return engine;
    }

    /** The folder JavaCPP unpacked TensorFlow's JNI library into. */
    private static Path nativeFolder() {
        for (Map.Entry<String, String> loaded : Loader.getLoadedLibraries().entrySet()) {
            if (loaded.getValue() != null && loaded.getValue().endsWith(JNI_LIBRARY)) {
                return Path.of(loaded.getValue()).getParent();
            }
        }
        // Not every JavaCPP version reports the path it loaded from; fall back to its cache.
        try {
            File cache = Loader.getCacheDir();
            try (var found = Files.find(
                    cache.toPath(),
                    12,
                    (p, a) -> p.getFileName().toString().equals(JNI_LIBRARY)
                            && p.toString().contains("tensorflow-core-native"))) {
                return found.findFirst()
                        .map(Path::getParent)
                        .orElseThrow(() -> new IllegalStateException(
                                "TensorFlow's natives were loaded but " + JNI_LIBRARY + " is not under " + cache
                                        + "; set TENSORFLOW_LIBRARY_PATH to the folder that holds it"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read JavaCPP's cache folder", e);
        }
    }
}
