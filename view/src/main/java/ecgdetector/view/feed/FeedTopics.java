package ecgdetector.view.feed;

import ecgdetector.schemas.EcgTopic;
import ecgdetector.schemas.TopicNames;

/**
 * The topics the view reads. Only the scores are required; without alerts there is no alert history, without the
 * heartbeats or the models no window is drawn, and the alarms topic is read once it exists (it is looked for
 * again every half minute), so the view runs before the streamer writes alarms and after.
 *
 * @param scores     every window's score (required)
 * @param alerts     anomalous windows, for the alert history; null: not read
 * @param alarms     alarm transitions; null: not read
 * @param heartbeats the input, for the samples of the windows drawn; null: not read
 * @param models     the releases, to draw the windows with; null: not read
 */
public record FeedTopics(String scores, String alerts, String alarms, String heartbeats, String models) {

    public FeedTopics {
        if (scores == null || scores.isBlank()) {
            throw new IllegalArgumentException("the view needs a scores topic");
        }
    }

    /** The contract's names ({@link TopicNames#defaults()}). */
    public static FeedTopics defaults() {
        TopicNames names = TopicNames.defaults();
        return new FeedTopics(
                names.name(EcgTopic.SCORES),
                names.name(EcgTopic.ALERTS),
                names.name(EcgTopic.ALARMS),
                names.name(EcgTopic.HEARTBEATS),
                names.name(EcgTopic.MODELS));
    }
}
