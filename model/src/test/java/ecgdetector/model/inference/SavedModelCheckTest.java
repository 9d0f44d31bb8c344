package ecgdetector.model.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ecgdetector.model.release.InvalidReleaseException;
import ecgdetector.model.release.ReleaseBundle;
import ecgdetector.model.scoring.BeatScore;
import ecgdetector.model.testing.HostileSavedModels;
import ecgdetector.model.testing.TestManifests;
import ecgdetector.schemas.ReleaseManifest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.CollectionDef;
import org.tensorflow.proto.FunctionDef;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.NameAttrList;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.OpDef;
import org.tensorflow.proto.SavedModel;
import org.tensorflow.proto.SaverDef;

/** A release's SavedModel read as data: only a graph of allowed ops, in one file, ever reaches TensorFlow. */
class SavedModelCheckTest {

    private static final int LENGTH = 8;
    private static final SavedModelCheck CHECK = new SavedModelCheck(InferenceOps.DENSE_AUTOENCODER);
    private static ReleaseBundle dense;

    @TempDir
    Path tmp;

    @BeforeAll
    static void aDenseRelease() throws Exception {
        Path placeholder = Files.createTempDirectory("ecg-check-test");
        Files.writeString(placeholder.resolve(SavedModelCheck.FILE), "replaced below");
        ReleaseBundle shell = ReleaseBundle.seal(
                TestManifests.draft(
                        "ecg-autoencoder",
                        "v1",
                        "2026-11-24T12:00:00Z",
                        TestManifests.globalScaler(LENGTH, 0, 1),
                        ReleaseManifest.Scoring.of("mse", 1.0)),
                placeholder);
        float[] weights = new float[LENGTH * LENGTH];
        for (int i = 0; i < LENGTH; i++) {
            weights[i * LENGTH + i] = 1f;
        }
        dense = HostileSavedModels.release(
                shell,
                "dense",
                (tf, in) -> tf.math.sigmoid(tf.nn.biasAdd(
                        tf.linalg.matMul(in, tf.constant(Shape.of(LENGTH, LENGTH), DataBuffers.of(weights))),
                        tf.constant(new float[LENGTH]))));
    }

    @Test
    void aDenseGraphPassesAndTheBytesCheckedAreTheOnesGiven() throws Exception {
        byte[] checked = CHECK.check(dense.modelFiles());

        assertThat(checked).isEqualTo(dense.modelFiles().get(SavedModelCheck.FILE));
        assertThat(InferenceOps.DENSE_AUTOENCODER.names()).containsAll(opsOf(checked));
    }

    @Test
    void graphsThatReadOrWriteFilesOrLoopAreRefusedByTheOpsName() {
        Path canary = tmp.resolve("canary");

        assertThatThrownBy(() ->
                        CHECK.check(HostileSavedModels.readsFile(dense, canary).modelFiles()))
                .isInstanceOf(InvalidReleaseException.class)
                .hasMessageContaining("graph holds ops a release may not use: ")
                .hasMessageContaining("ReadFile (node ")
                .hasMessageContaining("StringToNumber");
        assertThatThrownBy(() ->
                        CHECK.check(HostileSavedModels.writesFile(dense, canary).modelFiles()))
                .hasMessageContaining("WriteFile (node ");
        assertThatThrownBy(
                        () -> CHECK.check(HostileSavedModels.loopsForever(dense).modelFiles()))
                .hasMessageContaining("While (node ");
        assertThat(canary).doesNotExist();
    }

    @Test
    void anythingButOneGraphFileIsRefused() throws Exception {
        SortedMap<String, byte[]> files = new TreeMap<>(dense.modelFiles());
        files.put("variables/variables.index", new byte[] {1});
        SortedMap<String, byte[]> garbage = new TreeMap<>();
        garbage.put(SavedModelCheck.FILE, new byte[] {(byte) 0xff, (byte) 0xff, 0x01});

        assertThatThrownBy(() -> CHECK.check(files)).hasMessageContaining("carries the file variables/variables.index");
        assertThatThrownBy(() -> CHECK.check(new TreeMap<>())).hasMessageContaining("no saved_model.pb");
        assertThatThrownBy(() -> CHECK.check(garbage)).hasMessageContaining("not a readable SavedModel");
    }

    @Test
    void saversCollectionsDevicesAndDeepNestingAreRefused() throws Exception {
        SavedModel base = SavedModel.parseFrom(dense.modelFiles().get(SavedModelCheck.FILE));
        MetaGraphDef meta = base.getMetaGraphs(0);

        assertThatThrownBy(() ->
                        check(meta.toBuilder().setSaverDef(SaverDef.newBuilder().setRestoreOpName("r"))))
                .hasMessageContaining("has a saver");
        assertThatThrownBy(() -> check(
                        meta.toBuilder().putCollectionDef("saved_model_main_op", CollectionDef.getDefaultInstance())))
                .hasMessageContaining("collections saved_model_main_op");
        MetaGraphDef.Builder pinned = meta.toBuilder();
        pinned.getGraphDefBuilder()
                .setNode(0, pinned.getGraphDef().getNode(0).toBuilder().setDevice("/job:x/device:CPU:0"));
        assertThatThrownBy(() -> check(pinned)).hasMessageContaining("asks for device /job:x/device:CPU:0");

        MetaGraphDef.Builder withFunction = meta.toBuilder();
        withFunction
                .getGraphDefBuilder()
                .getLibraryBuilder()
                .addFunction(FunctionDef.newBuilder()
                        .setSignature(OpDef.newBuilder().setName("never_called"))
                        .addNodeDef(NodeDef.newBuilder().setName("read").setOp("ReadFile")));
        assertThatThrownBy(() -> check(withFunction))
                .as("a function's nodes are checked, called or not")
                .hasMessageContaining("ReadFile (node read in function never_called)");

        AttrValue deep = AttrValue.newBuilder()
                .setS(com.google.protobuf.ByteString.copyFromUtf8("x"))
                .build();
        for (int i = 0; i < 40; i++) {
            deep = AttrValue.newBuilder()
                    .setFunc(NameAttrList.newBuilder().setName("f").putAttr("a", deep))
                    .build();
        }
        MetaGraphDef.Builder nested = meta.toBuilder();
        nested.getGraphDefBuilder()
                .addNode(NodeDef.newBuilder().setName("n").setOp("Const").putAttr("value", deep));
        assertThatThrownBy(() -> check(nested)).hasMessageContaining("not a readable SavedModel");
    }

    @Test
    void theGraphThatReadsAFileReallyReadsItWhenTheCheckAllowsIt() throws Exception {
        // The positive control: the refusal above is what stands between this graph and the file.
        Path canary = Files.writeString(tmp.resolve("canary"), "4242.5");
        ReleaseBundle reads = HostileSavedModels.readsFile(dense, canary);
        Set<String> everything = new HashSet<>(opsOf(reads.modelFiles().get(SavedModelCheck.FILE)));

        try (ReleaseModel model = ReleaseModel.load(reads, new InferenceOps(everything))) {
            float[] beat = new float[LENGTH];
            Arrays.fill(beat, 0.5f);
            BeatScore score = model.score(new float[][] {beat})[0];
            assertThat(score.reconstruction()).containsOnly(4242.5f);
        }
        assertThatThrownBy(() -> ReleaseModel.load(reads)).hasMessageContaining("ReadFile");
    }

    private static void check(MetaGraphDef.Builder meta) throws InvalidReleaseException {
        SortedMap<String, byte[]> files = new TreeMap<>();
        files.put(
                SavedModelCheck.FILE,
                SavedModel.newBuilder()
                        .setSavedModelSchemaVersion(1)
                        .addMetaGraphs(meta)
                        .build()
                        .toByteArray());
        CHECK.check(files);
    }

    /** The op type of every node of the SavedModel's graphs and functions. */
    static Set<String> opsOf(byte[] savedModel) throws Exception {
        Set<String> ops = new HashSet<>();
        for (MetaGraphDef meta : SavedModel.parseFrom(savedModel).getMetaGraphsList()) {
            meta.getGraphDef().getNodeList().forEach(n -> ops.add(n.getOp()));
            meta.getGraphDef()
                    .getLibrary()
                    .getFunctionList()
                    .forEach(f -> f.getNodeDefList().forEach(n -> ops.add(n.getOp())));
        }
        return ops;
    }
}
