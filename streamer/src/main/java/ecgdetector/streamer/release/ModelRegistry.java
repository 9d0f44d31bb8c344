package ecgdetector.streamer.release;

import com.fasterxml.jackson.databind.JsonNode;
import ecgdetector.model.inference.ScoringModel;
import ecgdetector.model.release.InvalidReleaseException;
import ecgdetector.model.release.ReleaseBundle;
import ecgdetector.model.release.TrustedReleaseKeys;
import ecgdetector.schemas.Json;
import ecgdetector.schemas.ReleaseManifest;
import ecgdetector.streamer.ops.StreamerMetrics;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The model currently serving, swapped atomically when a new release is verified, and the one place that
 * decides whether a release may serve: its record must verify ({@link ReleaseBundle#fromBytes(byte[],
 * TrustedReleaseKeys)}: readable, matching its digest, and signed with a trusted key if the streamer was given
 * keys), and the release must be of the served model name, take the configured window length, load, and give
 * finite output on a canary batch. A release that fails any check is rejected with a WARN line and a metric, and
 * the previous model keeps serving.
 *
 * <p>Offers come from one thread (Kafka Streams' global thread); the stream tasks that score hold leases
 * ({@link #renew}), so an old model is closed once the last task scoring with it moved on.
 */
public final class ModelRegistry implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ModelRegistry.class);

    private final String modelName;
    private final int windowLength;
    private final ScoringModel.Loader loader;
    private final StreamerMetrics metrics;
    private final TrustedReleaseKeys trustedKeys;
    private final boolean allowOlder;
    private final AtomicReference<ModelLease> current = new AtomicReference<>();
    private volatile boolean closed;

    /** What became of an offered release. */
    public sealed interface Outcome {
        /** The release serves now. */
        record Accepted(ReleaseManifest manifest) implements Outcome {}

        /** The release was refused; the previous model (if any) keeps serving. */
        record Rejected(String version, String reason) implements Outcome {}

        /** The release is the one already serving (same digest); nothing changed. */
        record Unchanged(ReleaseManifest manifest) implements Outcome {}
    }

    /** A registry that does not require releases to be signed. */
    public ModelRegistry(String modelName, int windowLength, ScoringModel.Loader loader, StreamerMetrics metrics) {
        this(modelName, windowLength, loader, metrics, TrustedReleaseKeys.none());
    }

    /**
     * @param trustedKeys if any, a release must be signed by one of them, or it is rejected before it is
     *                    loaded: its model files never reach TensorFlow
     */
    public ModelRegistry(
            String modelName,
            int windowLength,
            ScoringModel.Loader loader,
            StreamerMetrics metrics,
            TrustedReleaseKeys trustedKeys) {
        this(modelName, windowLength, loader, metrics, trustedKeys, false);
    }

    /**
     * @param allowOlder with trusted keys, whether a signed release created before the serving one may replace
     *                   it; if not, it is refused: a writer to the models topic could otherwise bring back an old
     *                   release someone once signed (a lower bar for alarms, say) just by re-publishing it
     */
    public ModelRegistry(
            String modelName,
            int windowLength,
            ScoringModel.Loader loader,
            StreamerMetrics metrics,
            TrustedReleaseKeys trustedKeys,
            boolean allowOlder) {
        this.allowOlder = allowOlder;
        this.modelName = modelName;
        this.windowLength = windowLength;
        this.loader = loader;
        this.metrics = metrics;
        this.trustedKeys = trustedKeys;
    }

    public String modelName() {
        return modelName;
    }

    /**
     * Verifies and loads a release in its wire form (an {@code ecg.models} record value) and swaps it in.
     *
     * @param origin where the bytes came from, for the log ({@code ecg.models/0/12})
     */
    public synchronized Outcome offer(byte[] releaseBytes, String origin) {
        if (closed) {
            throw new IllegalStateException("model registry is closed");
        }
        long start = System.nanoTime();
        ReleaseBundle bundle;
        try {
            bundle = ReleaseBundle.fromBytes(releaseBytes, trustedKeys);
        } catch (InvalidReleaseException e) {
            return reject(declaredVersion(releaseBytes), origin, e.getMessage());
        }
        ReleaseManifest m = bundle.manifest();
        ModelLease serving = current.get();
        if (serving != null && m.digest().equals(serving.model().manifest().digest())) {
            metrics.releaseUnchanged();
            log.debug("Release {} {} from {} is already serving", m.modelName(), m.version(), origin);
            return new Outcome.Unchanged(m);
        }
        Optional<String> refusal =
                whyNotServable(m, serving == null ? null : serving.model().manifest());
        if (refusal.isPresent()) {
            return reject(m.version(), origin, refusal.get());
        }
        ScoringModel model;
        try {
            model = loader.load(bundle);
        } catch (InvalidReleaseException e) {
            return reject(m.version(), origin, e.getMessage());
        } catch (RuntimeException | LinkageError e) {
            return reject(m.version(), origin, "loading failed: " + e);
        }
        swapIn(model, origin, System.nanoTime() - start);
        return new Outcome.Accepted(m);
    }

    /**
     * Why a verified release may not serve on this streamer, if it may not: another model name, older than the
     * serving one (with keys, unless that is allowed), or another window length.
     *
     * @param serving the serving release's manifest, or null
     */
    private Optional<String> whyNotServable(ReleaseManifest m, ReleaseManifest serving) {
        if (!modelName.equals(m.modelName())) {
            return Optional.of("release is of model '" + m.modelName() + "', this streamer serves '" + modelName + "'");
        }
        if (trustedKeys.required() && !allowOlder && serving != null) {
            Optional<String> older = olderThanServing(m, serving);
            if (older.isPresent()) {
                return older;
            }
        }
        if (m.inputLength() != windowLength) {
            return Optional.of("release takes windows of " + m.inputLength()
                    + " samples, the streamer's window length is " + windowLength);
        }
        return Optional.empty();
    }

    /** Makes {@code model} the current one; the previous one closes once no task scores with it. */
    private void swapIn(ScoringModel model, String origin, long loadNanos) {
        ReleaseManifest m = model.manifest();
        ModelLease lease = new ModelLease(
                model,
                closedModel -> log.info(
                        "Closed model {} {}: no thread scores with it any more",
                        closedModel.manifest().modelName(),
                        closedModel.manifest().version()));
        ModelLease previous = current.getAndSet(lease);
        metrics.modelServing(m, loadNanos);
        if (previous == null) {
            log.info(
                    "Serving model {} version {} (threshold {}, metric {}, digest {}) from {}, loaded in {} ms",
                    m.modelName(),
                    m.version(),
                    m.threshold(),
                    m.errorMetric(),
                    m.digest(),
                    origin,
                    loadNanos / 1_000_000);
        } else {
            log.info(
                    "Swapped model {} from version {} to {} (threshold {}, metric {}, digest {}) from {}, loaded in {} ms;"
                            + " stream threads switch at their next batch",
                    m.modelName(),
                    previous.model().manifest().version(),
                    m.version(),
                    m.threshold(),
                    m.errorMetric(),
                    m.digest(),
                    origin,
                    loadNanos / 1_000_000);
            previous.release();
        }
    }

    /** Why {@code offered} may not replace {@code serving} by age, if it may not. */
    private static Optional<String> olderThanServing(ReleaseManifest offered, ReleaseManifest serving) {
        Instant offeredAt;
        Instant servingAt;
        try {
            offeredAt = Instant.parse(offered.createdAt());
            servingAt = Instant.parse(serving.createdAt());
        } catch (DateTimeParseException | NullPointerException e) {
            return Optional.of("its creation time '" + offered.createdAt() + "' cannot be compared with the serving "
                    + "release's '" + serving.createdAt() + "'");
        }
        if (offeredAt.isAfter(servingAt)) {
            return Optional.empty();
        }
        return Optional.of("it was created at " + offered.createdAt() + ", not after the serving version "
                + serving.version() + " (" + serving.createdAt() + "): refused as a possible replay of an old signed "
                + "release; to roll back on purpose, set ecg.release.allow.older=true");
    }

    /** The version a release that failed to verify claims to be, for the log; "unknown" if unreadable. */
    private static String declaredVersion(byte[] releaseBytes) {
        try {
            JsonNode version =
                    Json.mapper().readTree(releaseBytes).path("manifest").path("version");
            return version.isTextual() ? version.asText() + " (unverified)" : "unknown";
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    private Outcome reject(String version, String origin, String reason) {
        metrics.releaseRejected();
        ModelLease serving = current.get();
        log.warn(
                "Rejected model release {} version {} from {}: {}; {}",
                modelName,
                version,
                origin,
                reason,
                serving == null
                        ? "no model serves yet, windows keep waiting"
                        : "version " + serving.model().manifest().version() + " keeps serving");
        return new Outcome.Rejected(version, reason);
    }

    /**
     * The lease to score the next batch with: {@code held} while it is the current model's, else (releasing
     * {@code held}) a new one on the current model; null while no model is loaded. The caller releases the
     * lease it ends up with.
     */
    public ModelLease renew(ModelLease held) {
        if (held != null && isCurrent(held)) {
            return held;
        }
        if (held != null) {
            held.release();
        }
        return acquire();
    }

    /**
     * {@code held}, or null once it is not the current model's (then released): an idle task lets a swapped-out
     * model go, so it can be closed.
     */
    public ModelLease releaseIfStale(ModelLease held) {
        if (held == null || isCurrent(held)) {
            return held;
        }
        held.release();
        return null;
    }

    private ModelLease acquire() {
        while (true) {
            ModelLease lease = current.get();
            if (lease == null || lease.retain()) {
                return lease;
            }
            // Swapped and closed between the read and the retain: read the new one.
        }
    }

    private boolean isCurrent(ModelLease lease) {
        return current.get() == lease;
    }

    /** Whether a model is loaded. */
    public boolean hasModel() {
        return current.get() != null;
    }

    /** The manifest of the model serving, if any. */
    public Optional<ReleaseManifest> serving() {
        ModelLease lease = current.get();
        return lease == null ? Optional.empty() : Optional.of(lease.model().manifest());
    }

    /** Releases the registry's hold on the current model; call after the stream threads stopped. */
    @Override
    public synchronized void close() {
        closed = true;
        ModelLease lease = current.getAndSet(null);
        if (lease != null) {
            lease.release();
        }
    }
}
