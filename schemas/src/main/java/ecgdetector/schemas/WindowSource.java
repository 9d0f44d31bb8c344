package ecgdetector.schemas;

/**
 * Where a heartbeat window was read from: the coordinates that identify it uniquely and from which alert and
 * score ids are derived.
 */
public record WindowSource(String topic, int partition, long offset) {

    /** {@code topic/partition/offset}, e.g. {@code ecg.heartbeats/2/1234}: the id of alerts and scores. */
    public String id() {
        return topic + '/' + partition + '/' + offset;
    }
}
