package ecgdetector.model.inference;

import java.util.Set;
import java.util.TreeSet;

/**
 * The TensorFlow ops a release's graph may use: the ops of the trainer's own inference graphs, and nothing else.
 * None of them touches a file, the network or the process, loops, or calls a function; so a release that passes
 * {@link SavedModelCheck} is data (a dense network's weights) and no code. The trainer's tests derive this list
 * from the graphs it exports for every recipe: a new architecture (convolutions, an ensemble) extends it on
 * purpose, with its review, not by accident.
 *
 * @param names the op type names, as in a GraphDef's {@code NodeDef.op}
 */
public record InferenceOps(Set<String> names) {

    /**
     * What the dense autoencoders of every recipe use: their input, weights, layers and output, and for an
     * ensemble the mean of its members' reconstructions ({@code AddN}, {@code Div}).
     */
    public static final InferenceOps DENSE_AUTOENCODER = new InferenceOps(
            Set.of("Placeholder", "Const", "MatMul", "BiasAdd", "Relu", "Sigmoid", "Identity", "AddN", "Div"));

    public InferenceOps {
        names = Set.copyOf(names);
    }

    public boolean allows(String op) {
        return names.contains(op);
    }

    @Override
    public String toString() {
        return new TreeSet<>(names).toString();
    }
}
