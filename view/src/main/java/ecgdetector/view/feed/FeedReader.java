package ecgdetector.view.feed;

import com.fasterxml.jackson.databind.JsonNode;
import ecgdetector.schemas.Alert;
import ecgdetector.schemas.Json;
import ecgdetector.schemas.Score;
import ecgdetector.view.ward.AlarmEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Reads the values of the topics the view shows into their record types, with the project's one JSON mapper. A
 * value that does not read (not JSON, a required field missing) is empty: the caller skips and counts it.
 */
final class FeedReader {

    private FeedReader() {}

    static Optional<Score> score(byte[] value) {
        try {
            Score s = Json.mapper().readValue(value, Score.class);
            boolean complete = s != null
                    && s.windowId() != null
                    && s.source() != null
                    && s.source().topic() != null
                    && Float.isFinite(s.score())
                    && Double.isFinite(s.threshold());
            return complete ? Optional.of(s) : Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    static Optional<Alert> alert(byte[] value) {
        try {
            Alert a = Json.mapper().readValue(value, Alert.class);
            return a != null && a.alertId() != null ? Optional.of(a) : Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * An alarm transition: needs an alarm id (the episode's, where the record has one) and a state; the patient is the value's {@code patientId}, else the
     * record key.
     */
    static Optional<AlarmEvent> alarm(byte[] key, byte[] value) {
        try {
            JsonNode node = Json.mapper().readTree(value);
            if (node == null || !node.isObject()) {
                return Optional.empty();
            }
            // ecg.alarms gives each transition an id of its own and the episode's id to all of them: an alarm is
            // open from its episode's RAISED to its CLEARED.
            String alarmId = text(node, "episodeId") != null ? text(node, "episodeId") : text(node, "alarmId");
            String state = text(node, "state");
            if (alarmId == null || state == null) {
                return Optional.empty();
            }
            String patient = text(node, "patientId");
            if (patient == null && key != null) {
                patient = new String(key, StandardCharsets.UTF_8);
            }
            String at = text(node, "at") != null ? text(node, "at") : text(node, "startedAt");
            return Optional.of(new AlarmEvent(patient, alarmId, text(node, "type"), state, text(node, "priority"), at));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() || v.isContainerNode() ? null : v.asText();
    }
}
