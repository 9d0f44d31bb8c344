package ecgdetector.view;

import ecgdetector.model.release.ReleaseVerifier;
import ecgdetector.view.feed.FeedTopics;
import ecgdetector.view.web.WebSettings;
import java.time.Duration;
import java.util.Properties;

/**
 * Everything a ward view needs to run.
 *
 * @param client      Kafka client settings: bootstrap servers and any security settings, passed through
 * @param topics      the topics it reads
 * @param web         where and how it serves its pages
 * @param silentAfter no score of a patient read for this long: its tile says FEED_SILENT
 * @param lookback    how far back it starts reading, so a page opened now shows the last minutes
 * @param releases    what a release must be to be loaded and draw beats: the streamer's rule ({@code
 *                    ReleaseTrust}), since the view runs the release's graph in TensorFlow as the streamer does
 */
public record ViewSettings(
        Properties client,
        FeedTopics topics,
        WebSettings web,
        Duration silentAfter,
        Duration lookback,
        ReleaseVerifier releases) {

    public static final Duration DEFAULT_SILENT_AFTER = Duration.ofSeconds(10);
    public static final Duration DEFAULT_LOOKBACK = Duration.ofMinutes(2);

    public ViewSettings {
        if (silentAfter.isNegative() || silentAfter.isZero()) {
            throw new IllegalArgumentException("the silence limit must be positive, got " + silentAfter);
        }
        if (lookback.isNegative()) {
            throw new IllegalArgumentException("the look-back must not be negative, got " + lookback);
        }
    }

    /** The contract's topics, the defaults, and a local web server on {@code port}. */
    public static ViewSettings local(Properties client, int port, ReleaseVerifier releases) {
        return new ViewSettings(
                client,
                FeedTopics.defaults(),
                WebSettings.local(port),
                DEFAULT_SILENT_AFTER,
                DEFAULT_LOOKBACK,
                releases);
    }

    public ViewSettings withWeb(WebSettings web) {
        return new ViewSettings(client, topics, web, silentAfter, lookback, releases);
    }

    public ViewSettings withTopics(FeedTopics topics) {
        return new ViewSettings(client, topics, web, silentAfter, lookback, releases);
    }

    public ViewSettings withSilentAfter(Duration silentAfter) {
        return new ViewSettings(client, topics, web, silentAfter, lookback, releases);
    }
}
