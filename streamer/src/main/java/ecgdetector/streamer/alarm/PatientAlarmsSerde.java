package ecgdetector.streamer.alarm;

import ecgdetector.model.alarm.PatientAlarms;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * A patient's alarm state in the store and its changelog: {@link PatientAlarms#toBytes()}, a fixed
 * {@link PatientAlarms#bytes(int)} bytes per patient (285 for the default window of 5 beats).
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
