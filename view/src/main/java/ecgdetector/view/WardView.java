package ecgdetector.view;

import ecgdetector.model.inference.ReleaseModel;
import ecgdetector.model.inference.ScoringModel;
import ecgdetector.view.beats.ReleaseShelf;
import ecgdetector.view.feed.TopicCounts;
import ecgdetector.view.feed.WardFeed;
import ecgdetector.view.ward.TileRenderer;
import ecgdetector.view.ward.WardLimits;
import ecgdetector.view.ward.WardState;
import ecgdetector.view.ward.Wire;
import ecgdetector.view.web.Broadcaster;
import ecgdetector.view.web.WardServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.util.List;

/**
 * A running ward view: the reader of Kafka ({@link WardFeed}), the patients' state ({@link WardState}), the
 * releases that draw their beats ({@link ReleaseShelf}), the pushes to browsers ({@link Broadcaster}) and the web
 * server ({@link WardServer}). Closing it stops them all.
 */
public final class WardView implements AutoCloseable {

    /** How often changes are pushed to browsers: a score is on the page within this and a poll of being readable. */
    static final long TICK_MS = 250;

    private static final long KEEP_ALIVE_MS = 15_000;

    private final ReleaseShelf releases;
    private final WardFeed feed;
    private final Broadcaster broadcaster;
    private final WardServer server;

    private WardView(ReleaseShelf releases, WardFeed feed, Broadcaster broadcaster, WardServer server) {
        this.releases = releases;
        this.feed = feed;
        this.broadcaster = broadcaster;
        this.server = server;
    }

    /** Starts a view that draws beats with the real model loader (DJL on TensorFlow). */
    public static WardView start(ViewSettings settings) throws IOException {
        return start(settings, ReleaseModel::load);
    }

    /** Starts a view whose releases load with {@code loader}. */
    public static WardView start(ViewSettings settings, ScoringModel.Loader loader) throws IOException {
        WardState ward = new WardState(WardLimits.defaults(settings.silentAfter()));
        ReleaseShelf releases = new ReleaseShelf(loader, settings.releases());
        WardFeed feed = new WardFeed(settings.client(), settings.topics(), settings.lookback(), ward, releases);
        Broadcaster broadcaster = new Broadcaster(
                ward,
                new TileRenderer(releases),
                () -> status(feed),
                settings.web().clientQueue(),
                KEEP_ALIVE_MS);
        PrometheusMeterRegistry metrics = ViewMetrics.create(feed, broadcaster);
        WardServer server;
        try {
            server = WardServer.start(settings.web(), broadcaster, metrics);
        } catch (IOException | RuntimeException e) {
            releases.close();
            throw e;
        }
        feed.start();
        broadcaster.start(TICK_MS);
        return new WardView(releases, feed, broadcaster, server);
    }

    private static Wire.Status status(WardFeed feed) {
        List<Wire.TopicStatus> topics =
                feed.counts().stream().map(WardView::topicStatus).toList();
        return new Wire.Status(topics, 0, 0, feed.error());
    }

    private static Wire.TopicStatus topicStatus(TopicCounts t) {
        return new Wire.TopicStatus(t.role(), t.topic(), t.isRead(), t.records(), t.skipped(), t.note());
    }

    /** The address to open in a browser. */
    public String url() {
        return server.url();
    }

    public int port() {
        return server.port();
    }

    /** Updates dropped so far for browsers that did not keep up. */
    public long droppedUpdates() {
        return broadcaster.dropped();
    }

    /** Per topic read: records read and skipped. */
    public List<TopicCounts> counts() {
        return feed.counts();
    }

    @Override
    public void close() {
        server.close();
        broadcaster.close();
        feed.close();
        releases.close();
    }
}
