package ecgdetector.trainer.model;

import ai.djl.engine.Engine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bytedeco.javacpp.Loader;
import org.tensorflow.TensorFlow;

/**
 * Points DJL at the TensorFlow natives that TensorFlow Java unpacked, so DJL neither downloads nor
 * loads a second copy. Stand-in for the model module's production bootstrapping.
 */
final class DjlTestEngine {

    private static final String NATIVE_DIR =
            "tensorflow-core-native-1.0.0-linux-x86_64.jar/org/tensorflow/internal/c_api/linux-x86_64";

    private DjlTestEngine() {}

    static synchronized Engine tensorFlow() throws IOException {
        // Order matters: TensorFlow Java must unpack its natives before DJL looks for them.
        TensorFlow.version();
        Path natives = Path.of(Loader.getCacheDir().getPath(), NATIVE_DIR);
        if (!Files.isRegularFile(natives.resolve("libjnitensorflow.so"))) {
            throw new IllegalStateException("no libjnitensorflow.so in " + natives);
        }
        System.setProperty("TENSORFLOW_LIBRARY_PATH", natives.toString());
        System.setProperty("ai.djl.offline", "true");
        return Engine.getEngine("TensorFlow");
    }
}
