package ecgdetector.streamer.alarm;

import ecgdetector.model.alarm.PatientAlarms;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * A patient's alarm state in the store and its changelog: {@link PatientAlarms#toBytes()}, about 110 bytes per
 * patient for the default window of 5 beats and at most {@link PatientAlarms#maxBytes(int)}.
 */
public final class PatientAlarmsSerde implements Serde<PatientAlarms> {

    private final int window;

    /** @param window the configured M: a state written with another is read with a fresh ring */
    public PatientAlarmsSerde(int window) {
        this.window = window;
    }

    @Override
    public Serializer<PatientAlarms> serializer() {
        return (topic, state) -> state == null ? null : state.toBytes();
    }

    @Override
    public Deserializer<PatientAlarms> deserializer() {
        return (topic, bytes) -> {
            if (bytes == null) {
                return null;
            }
            try {
                return PatientAlarms.fromBytes(bytes, window);
            } catch (IllegalArgumentException e) {
                throw new SerializationException(e.getMessage(), e);
            }
        };
    }
}
