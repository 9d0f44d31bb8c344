package ecgdetector.trainer.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ZooModel;
import ecgdetector.model.inference.InferenceOps;
import ecgdetector.model.inference.SavedModelCheck;
import ecgdetector.trainer.Recipe;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.GraphOperation;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Signature;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.SavedModel;

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
    void djlServesWhatTheTrainerComputesTheSameEveryTime(@TempDir Path dir) throws Exception {
        Path export = dir.resolve("model");
        model.exportSavedModel(export);

        float[][] trainers = model.reconstruct(beats);
        float[][] first = served(export, beats);
        float[][] second = served(export, beats);

        // What the trainer's evaluation scores and what the streamer serves: the same bytes, the same floats.
        assertThat(second).isDeepEqualTo(first);
        for (int r = 0; r < beats.length; r++) {
            // The constants are optimised differently from the training graph's variables: the same network to the
            // last bit or two of a float.
            for (int c = 0; c < 140; c++) {
                assertThat(first[r][c]).as("beat %d, sample %d", r, c).isCloseTo(trainers[r][c], within(1e-5f));
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
            assertThat(opTypes).contains("AddN", "Div").doesNotContain("VariableV2", "SaveV2", "RestoreV2");
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
    void exportHoldsOnlyTheInferenceGraphWithItsWeightsAsConstants(@TempDir Path dir) throws Exception {
        model.exportSavedModel(dir);

        try (SavedModelBundle bundle = SavedModelBundle.load(dir.toString(), "serve")) {
            Signature signature = bundle.function("serving_default").signature();
            assertThat(signature.inputNames()).containsExactly("input");
            assertThat(signature.outputNames()).containsExactly("reconstruction");
            assertThat(signature.getInputs().get("input").shape.asArray()).containsExactly(-1, 140);
            assertThat(signature.getOutputs().get("reconstruction").shape.asArray())
                    .containsExactly(-1, 140);
        }
        try (Stream<Path> files = Files.walk(dir)) {
            assertThat(files.filter(Files::isRegularFile)
                            .map(p -> dir.relativize(p).toString()))
                    .as("no variables, no checkpoint, no assets")
                    .containsExactly("saved_model.pb");
        }
        // The weights are in the graph now.
        assertThat(Files.size(dir.resolve("saved_model.pb"))).isGreaterThan(model.weightsBytes().length);
        assertThat(new SavedModelCheck(InferenceOps.DENSE_AUTOENCODER).check(files(dir)))
                .isEqualTo(Files.readAllBytes(dir.resolve("saved_model.pb")));
    }

    /**
     * The allow-list a streamer checks releases against is derived here from the graphs the trainer exports, for
     * every recipe and for an ensemble: a new architecture that needs another op fails this test until the list is
     * extended on purpose.
     */
    @Test
    void theStreamersAllowListIsExactlyTheOpsOfTheTrainersGraphs(@TempDir Path dir) throws Exception {
        List<AutoencoderConfig> architectures = new java.util.ArrayList<>();
        for (Recipe recipe : Recipe.values()) {
            architectures.add(recipe.model().withEpochs(1));
        }
        architectures.add(SyntheticBeats.smallConfig(1).withMembers(2));
        Set<String> used = new TreeSet<>();
        for (int a = 0; a < architectures.size(); a++) {
            try (TrainedAutoencoder trained =
                    new AutoencoderTrainer().train(beats, new float[0][], architectures.get(a))) {
                Path export = dir.resolve("architecture-" + a);
                trained.exportSavedModel(export);
                for (MetaGraphDef meta : SavedModel.parseFrom(Files.readAllBytes(export.resolve("saved_model.pb")))
                        .getMetaGraphsList()) {
                    meta.getGraphDef().getNodeList().forEach(node -> used.add(node.getOp()));
                    assertThat(meta.getGraphDef().getLibrary().getFunctionCount())
                            .isZero();
                    assertThat(meta.hasSaverDef()).isFalse();
                }
            }
        }
        assertThat(used).isEqualTo(new TreeSet<>(InferenceOps.DENSE_AUTOENCODER.names()));
    }

    @Test
    void theSameWeightsExportToTheSameBytes(@TempDir Path dir) throws Exception {
        model.exportSavedModel(dir.resolve("a"));
        model.exportSavedModel(dir.resolve("b"));

        assertThat(dir.resolve("b/saved_model.pb")).hasSameBinaryContentAs(dir.resolve("a/saved_model.pb"));
    }

    private static SortedMap<String, byte[]> files(Path dir) throws IOException {
        SortedMap<String, byte[]> files = new TreeMap<>();
        files.put("saved_model.pb", Files.readAllBytes(dir.resolve("saved_model.pb")));
        return files;
    }

    @Test
    void refusesToOverwriteAnExport(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("saved_model.pb"), "stale");

        assertThatThrownBy(() -> model.exportSavedModel(dir))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("non-empty");
    }
}
