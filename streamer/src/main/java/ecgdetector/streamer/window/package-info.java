/**
 * The values that travel between the stream stages (decode, batch, infer, alert), which import none of each
 * other: a stage knows the records it takes and gives, not the stage on the other side. The decoded window
 * itself and the dead-letter contract are wire types, in {@code ecgdetector.schemas}.
 */
package ecgdetector.streamer.window;
