package ecgdetector.model.inference;

import com.google.protobuf.CodedInputStream;
import ecgdetector.model.input.UntrustedText;
import ecgdetector.model.release.InvalidReleaseException;
import java.io.IOException;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.tensorflow.proto.FunctionDef;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.SavedModel;

/**
 * Reads a release's SavedModel as data, with protobuf's own parser (the classes bundled with DJL's TensorFlow
 * API), before TensorFlow sees a byte of it, and refuses anything that is not an inference graph of allowed ops:
 * <ul>
 *   <li>files: exactly {@value #FILE}, no {@code variables/}, no assets;</li>
 *   <li>every node of every meta graph's GraphDef, and of every function in its library, of an op in the
 *       {@link InferenceOps} list, refused by the op's name otherwise, and pinned to no device;</li>
 *   <li>no saver (restore ops run on load), no collections (init ops named there run on load), no assets, no
 *       object graph, no init-op signature.</li>
 * </ul>
 * The size is bounded by the release record's cap before this runs; protobuf's nesting depth is capped here.
 */
public final class SavedModelCheck {

    /** The one file of a release's SavedModel. */
    public static final String FILE = "saved_model.pb";

    /** Protobuf's default is 100; a GraphDef of dense layers nests about 8 deep. */
    private static final int MAX_DEPTH = 32;

    /** Refused ops named in the reason, at most. */
    private static final int MAX_OPS_NAMED = 10;

    private static final String INIT_OP_SIGNATURE = "__saved_model_init_op";

    private final InferenceOps allowed;

    public SavedModelCheck(InferenceOps allowed) {
        this.allowed = allowed;
    }

    /**
     * Checks the release's model files.
     *
     * @return the bytes of {@value #FILE}, a copy of the ones checked: these and no others may go to TensorFlow
     * @throws InvalidReleaseException naming the first thing not allowed
     */
    public byte[] check(SortedMap<String, byte[]> modelFiles) throws InvalidReleaseException {
        for (String path : modelFiles.keySet()) {
            if (!path.equals(FILE)) {
                throw new InvalidReleaseException("release carries the file " + UntrustedText.of(path)
                        + ": a release's SavedModel is one " + FILE + ", with no variables or assets");
            }
        }
        byte[] graph = modelFiles.get(FILE);
        if (graph == null) {
            throw new InvalidReleaseException("release carries no " + FILE);
        }
        byte[] checked = graph.clone();
        SavedModel savedModel = parse(checked);
        if (savedModel.getMetaGraphsCount() == 0) {
            throw new InvalidReleaseException(FILE + " holds no meta graph");
        }
        Map<String, String> refused = new TreeMap<>();
        for (MetaGraphDef meta : savedModel.getMetaGraphsList()) {
            checkStructure(meta);
            for (NodeDef node : meta.getGraphDef().getNodeList()) {
                checkNode(node, "", refused);
            }
            for (FunctionDef function : meta.getGraphDef().getLibrary().getFunctionList()) {
                String where = " in function "
                        + UntrustedText.of(function.getSignature().getName());
                for (NodeDef node : function.getNodeDefList()) {
                    checkNode(node, where, refused);
                }
            }
        }
        if (!refused.isEmpty()) {
            StringBuilder ops = new StringBuilder();
            refused.entrySet().stream()
                    .limit(MAX_OPS_NAMED)
                    .forEach(e -> ops.append(ops.length() == 0 ? "" : ", ")
                            .append(UntrustedText.of(e.getKey()))
                            .append(" (")
                            .append(e.getValue())
                            .append(')'));
            if (refused.size() > MAX_OPS_NAMED) {
                ops.append(" and ").append(refused.size() - MAX_OPS_NAMED).append(" more");
            }
            throw new InvalidReleaseException(
                    "graph holds ops a release may not use: " + ops + "; allowed: " + allowed);
        }
        return checked;
    }

    private static SavedModel parse(byte[] bytes) throws InvalidReleaseException {
        CodedInputStream in = CodedInputStream.newInstance(bytes);
        in.setRecursionLimit(MAX_DEPTH);
        in.setSizeLimit(bytes.length);
        try {
            return SavedModel.parseFrom(in);
        } catch (IOException | RuntimeException e) {
            throw new InvalidReleaseException(FILE + " is not a readable SavedModel: " + e.getMessage(), e);
        }
    }

    private static void checkStructure(MetaGraphDef meta) throws InvalidReleaseException {
        if (meta.hasSaverDef()) {
            throw new InvalidReleaseException("the SavedModel has a saver: its restore ops would run on load, and a "
                    + "release carries its weights as constants");
        }
        if (meta.getCollectionDefCount() > 0) {
            throw new InvalidReleaseException("the SavedModel has collections " + keys(meta.getCollectionDefMap())
                    + ": TensorFlow runs the init ops named there on load");
        }
        if (meta.getAssetFileDefCount() > 0) {
            throw new InvalidReleaseException("the SavedModel has assets: a release reads no file");
        }
        if (meta.hasObjectGraphDef()) {
            throw new InvalidReleaseException("the SavedModel has an object graph: a release has no variables");
        }
        if (meta.getSignatureDefMap().containsKey(INIT_OP_SIGNATURE)) {
            throw new InvalidReleaseException(
                    "the SavedModel names an init op (" + INIT_OP_SIGNATURE + "), which " + "would run on load");
        }
    }

    /** Adds the node's op to {@code refused} (op -> its first node) unless it is allowed. */
    private void checkNode(NodeDef node, String where, Map<String, String> refused) throws InvalidReleaseException {
        if (!allowed.allows(node.getOp())) {
            refused.putIfAbsent(node.getOp(), "node " + UntrustedText.of(node.getName()) + where);
        }
        if (!node.getDevice().isEmpty()) {
            throw new InvalidReleaseException("node " + UntrustedText.of(node.getName()) + where + " asks for device "
                    + UntrustedText.of(node.getDevice()) + "; a release leaves placement to the streamer");
        }
    }

    private static String keys(Map<String, ?> map) {
        return UntrustedText.of(String.join(", ", new java.util.TreeSet<>(map.keySet())));
    }
}
