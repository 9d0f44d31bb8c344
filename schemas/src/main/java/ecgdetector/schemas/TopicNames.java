package ecgdetector.schemas;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The names a deployment gives the project's topics ({@link EcgTopic}); {@link #defaults()} are the contract's
 * own. Tests that share one broker take a {@link #withPrefix(String) prefixed} copy so their records never mix.
 */
public record TopicNames(
        String heartbeats, String heartbeatsDlq, String alerts, String scores, String alarms, String models) {

    private static final Pattern LEGAL_NAME = Pattern.compile("[a-zA-Z0-9._-]{1,249}");

    public TopicNames {
        List<String> names = List.of(
                checkName(heartbeats, EcgTopic.HEARTBEATS),
                checkName(heartbeatsDlq, EcgTopic.HEARTBEATS_DLQ),
                checkName(alerts, EcgTopic.ALERTS),
                checkName(scores, EcgTopic.SCORES),
                checkName(alarms, EcgTopic.ALARMS),
                checkName(models, EcgTopic.MODELS));
        if (new HashSet<>(names).size() != names.size()) {
            throw new IllegalArgumentException("topic names must all differ, got " + names);
        }
    }

    public static TopicNames defaults() {
        return new TopicNames(
                EcgTopic.HEARTBEATS.defaultName(),
                EcgTopic.HEARTBEATS_DLQ.defaultName(),
                EcgTopic.ALERTS.defaultName(),
                EcgTopic.SCORES.defaultName(),
                EcgTopic.ALARMS.defaultName(),
                EcgTopic.MODELS.defaultName());
    }

    /** The same topics with every name prefixed, e.g. {@code "t7."} gives {@code t7.ecg.heartbeats}. */
    public TopicNames withPrefix(String prefix) {
        Objects.requireNonNull(prefix, "prefix");
        return new TopicNames(
                prefix + heartbeats,
                prefix + heartbeatsDlq,
                prefix + alerts,
                prefix + scores,
                prefix + alarms,
                prefix + models);
    }

    /** The name this deployment gives {@code topic}. */
    public String name(EcgTopic topic) {
        return switch (topic) {
            case HEARTBEATS -> heartbeats;
            case HEARTBEATS_DLQ -> heartbeatsDlq;
            case ALERTS -> alerts;
            case SCORES -> scores;
            case ALARMS -> alarms;
            case MODELS -> models;
        };
    }

    /** Every name, in {@link EcgTopic} order. */
    public List<String> names() {
        return List.of(heartbeats, heartbeatsDlq, alerts, scores, alarms, models);
    }

    private static String checkName(String name, EcgTopic topic) {
        if (name == null || !LEGAL_NAME.matcher(name).matches() || name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException(
                    "illegal Kafka topic name for " + topic.defaultName() + ": '" + name + "'");
        }
        return name;
    }
}
