package ecgdetector.trainer.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ZooModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.GraphOperation;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Signature;

class SavedModelExportTest {

    private static TrainedAutoencoder model;
    private static float[][] beats;

    @BeforeAll
    static void train() {
        beats = SyntheticBeats.generate(128, 140, 21);
        // A few beats far out of range, as anomalies are once scaled.
        beats[0][0] = -3f;
        beats[1][70] = 4f;
        model = new AutoencoderTrainer().train(beats, new float[0][], SyntheticBeats.smallConfig(2));
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void djlServesExactlyWhatTheTrainerComputes(@TempDir Path dir) throws Exception {
        Path export = dir.resolve("model");
        model.exportSavedModel(export);
        DjlTestEngine.tensorFlow();

        Criteria<NDList, NDList> criteria = Criteria.builder()
                .setTypes(NDList.class, NDList.class)
                .optModelPath(export)
                .optEngine("TensorFlow")
                .build();
        float[][] expected = model.reconstruct(beats);
        try (ZooModel<NDList, NDList> served = criteria.loadModel();
                Predictor<NDList, NDList> predictor = served.newPredictor();
                NDManager manager = served.getNDManager().newSubManager()) {
            NDArray output =
                    predictor.predict(new NDList(manager.create(beats))).singletonOrThrow();

            assertThat(output.getShape().getShape()).containsExactly(beats.length, 140);
            float[] flat = output.toFloatArray();
            // Bit for bit: thresholds fitted on the trainer's reconstructions hold for the served
            // model.
            for (int r = 0; r < beats.length; r++) {
                assertThat(Arrays.copyOfRange(flat, r * 140, (r + 1) * 140))
                        .as("beat %d", r)
                        .containsExactly(expected[r]);
            }
        }
    }

    @Test
    void djlServesAnEnsembleExactlyAsTheTrainerComputesIt(@TempDir Path dir) throws Exception {
        Path export = dir.resolve("ensemble");
        try (TrainedAutoencoder ensemble = new AutoencoderTrainer()
                .train(beats, new float[0][], SyntheticBeats.smallConfig(2).withMembers(3))) {
            ensemble.exportSavedModel(export);
            float[][] expected = ensemble.reconstruct(beats);
            assertThat(served(export, beats)).isDeepEqualTo(expected);
        }
        // One graph, one call: three members' layers under their own names, averaged inside.
        try (SavedModelBundle bundle = SavedModelBundle.load(export.toString(), "serve")) {
            Set<String> opTypes = new HashSet<>();
            Set<String> names = new HashSet<>();
            for (Iterator<GraphOperation> ops = bundle.graph().operations(); ops.hasNext(); ) {
                GraphOperation op = ops.next();
                opTypes.add(op.type());
                names.add(op.name());
            }
            assertThat(opTypes).contains("AddN", "Div");
            assertThat(names).contains("member_0/dense_0/kernel", "member_2/dense_7/bias");
        }
    }

    /** What DJL's TensorFlow engine returns for {@code input} from the SavedModel in {@code dir}. */
    private static float[][] served(Path dir, float[][] input) throws Exception {
        DjlTestEngine.tensorFlow();
        Criteria<NDList, NDList> criteria = Criteria.builder()
                .setTypes(NDList.class, NDList.class)
                .optModelPath(dir)
                .optEngine("TensorFlow")
                .build();
        try (ZooModel<NDList, NDList> served = criteria.loadModel();
                Predictor<NDList, NDList> predictor = served.newPredictor();
                NDManager manager = served.getNDManager().newSubManager()) {
            float[] flat = predictor
                    .predict(new NDList(manager.create(input)))
                    .singletonOrThrow()
                    .toFloatArray();
            float[][] out = new float[input.length][];
            for (int r = 0; r < input.length; r++) {
                out[r] = Arrays.copyOfRange(flat, r * 140, (r + 1) * 140);
            }
            return out;
        }
    }

    @Test
    void exportHoldsOnlyTheInferenceGraph(@TempDir Path dir) throws IOException {
        model.exportSavedModel(dir);

        try (SavedModelBundle bundle = SavedModelBundle.load(dir.toString(), "serve")) {
            Signature signature = bundle.function("serving_default").signature();
            assertThat(signature.inputNames()).containsExactly("input");
            assertThat(signature.outputNames()).containsExactly("reconstruction");
            assertThat(signature.getInputs().get("input").shape.asArray()).containsExactly(-1, 140);
            assertThat(signature.getOutputs().get("reconstruction").shape.asArray())
                    .containsExactly(-1, 140);

            Set<String> opTypes = new HashSet<>();
            for (Iterator<GraphOperation> ops = bundle.graph().operations(); ops.hasNext(); ) {
                opTypes.add(ops.next().type());
            }
            assertThat(opTypes).doesNotContain("ApplyAdam", "RandomUniform");
            assertThat(opTypes).contains("MatMul", "BiasAdd", "Relu", "Sigmoid", "VariableV2");
        }
        // The weights live in the checkpoint, not in the graph.
        assertThat(Files.size(dir.resolve("saved_model.pb"))).isLessThan(20_000);
        assertThat(Files.size(dir.resolve("variables/variables.data-00000-of-00001")))
                .isEqualTo(model.weightsBytes().length);
    }

    @Test
    void refusesToOverwriteAnExport(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("saved_model.pb"), "stale");

        assertThatThrownBy(() -> model.exportSavedModel(dir))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("non-empty");
    }
}
