package ecgdetector.model.inference;

import com.google.protobuf.CodedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.SavedModel;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;
import org.tensorflow.proto.TensorShapeProto;
import org.tensorflow.types.TFloat32;

/**
 * Writes a graph as a SavedModel in the form a release carries it, the form {@link SavedModelCheck} reads: one
 * {@value SavedModelCheck#FILE}, no {@code variables/}, no assets. The trainer exports its inference graphs with it.
 *
 * <p>TensorFlow Java's {@code SavedModelBundle.exporter} cannot do that: it always adds a saver (the
 * {@code SaveV2}/{@code RestoreV2} ops, which read and write files) and a checkpoint. Here the protobuf is
 * assembled directly: one meta graph tagged {@code tag}, the graph as it is, and a prediction signature from one
 * float input to one float output. TensorFlow's loader restores no checkpoint when the SavedModel has no
 * variables index, so loading runs nothing of the graph.
 */
public final class InferenceSavedModel {

    private static final String PREDICT_METHOD = "tensorflow/serving/predict";

    private InferenceSavedModel() {}

    /**
     * Writes {@code graph} into {@code dir} (created if missing).
     *
     * @param input  the placeholder the signature feeds, named {@code inputName}
     * @param output the tensor the signature fetches, named {@code outputName}
     */
    public static void write(
            Path dir,
            Graph graph,
            String tag,
            String signatureKey,
            String inputName,
            Operand<TFloat32> input,
            String outputName,
            Operand<TFloat32> output)
            throws IOException {
        SignatureDef signature = SignatureDef.newBuilder()
                .putInputs(inputName, tensorInfo(input))
                .putOutputs(outputName, tensorInfo(output))
                .setMethodName(PREDICT_METHOD)
                .build();
        MetaGraphDef metaGraph = MetaGraphDef.newBuilder()
                .setMetaInfoDef(MetaGraphDef.MetaInfoDef.newBuilder().addTags(tag))
                .setGraphDef(graph.toGraphDef())
                .putSignatureDef(signatureKey, signature)
                .build();
        SavedModel savedModel = SavedModel.newBuilder()
                .setSavedModelSchemaVersion(1)
                .addMetaGraphs(metaGraph)
                .build();
        Files.createDirectories(dir);
        // Maps (a node's attributes) in key order: the same graph is the same bytes, so the same weights give the
        // same release digest.
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(savedModel.getSerializedSize());
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        out.useDeterministicSerialization();
        savedModel.writeTo(out);
        out.flush();
        Files.write(dir.resolve(SavedModelCheck.FILE), bytes.toByteArray());
    }

    private static TensorInfo tensorInfo(Operand<TFloat32> tensor) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (long size : tensor.shape().asArray()) {
            shape.addDim(TensorShapeProto.Dim.newBuilder().setSize(size));
        }
        return TensorInfo.newBuilder()
                .setName(tensor.op().name() + ":" + tensor.asOutput().index())
                .setDtype(DataType.DT_FLOAT)
                .setTensorShape(shape)
                .build();
    }
}
