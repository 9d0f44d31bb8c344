package ecgdetector.streamer.release;

import ecgdetector.model.inference.ScoringModel;
import ecgdetector.model.input.UntrustedText;
import ecgdetector.model.release.InvalidReleaseException;
import ecgdetector.model.release.ReleaseBundle;
import ecgdetector.model.release.ReleaseRecord;
import ecgdetector.model.release.ReleaseVerifier;
import ecgdetector.schemas.ReleaseKey;
import ecgdetector.schemas.ReleaseManifest;
import ecgdetector.streamer.ops.StreamerMetrics;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The model currently serving, swapped atomically when a new release is verified, and the one place that decides
 * whether a release may serve: its record must verify ({@link ReleaseVerifier}: under the size cap, of release
 * format 2, signed by a trusted key unless unsigned releases are allowed, and only then read), and the release must
 * be of the served model name, not older than the serving one (when signatures are required, unless rollback is
 * allowed), take the configured window length, pass the loader's checks as it is offered (for TensorFlow, its graph
 * against the allowed ops), and load and give finite output on a canary batch ({@link LoadWatchdog} bounds the
 * time). A release that fails any check is rejected with a WARN line and a metric, and the previous model keeps
 * serving.
 *
 * <p>Offers come from one thread (Kafka Streams' global thread); the stream tasks that score hold leases
 * ({@link #renew}), so an old model is closed once the last task scoring with it moved on.
 *
 * <p>At startup the whole models topic is read again ({@link #replayStarted()} to {@link #replayEnded()}): the
 * releases on it are verified as they come, but only the one that would be serving at the end is loaded, so a topic
 * with many releases costs one TensorFlow load, not one per release.
 */
public final class ModelRegistry implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ModelRegistry.class);
    /**
     * Verified and checked releases kept while the topic is read at startup, newest last, as fallbacks should the
     * newest fail to load: up to this many bytes of them (a hundred of today's releases).
     */
    private static final long REPLAY_CANDIDATE_BYTES = 16L * 1024 * 1024;

    private final String modelName;
    private final int windowLength;
    private final ScoringModel.Loader loader;
    private final StreamerMetrics metrics;
    private final ReleaseVerifier verifier;
    private final boolean allowOlder;
    private final AtomicReference<ModelLease> current = new AtomicReference<>();
    private final List<Consumer<ReleaseManifest>> servingListeners = new CopyOnWriteArrayList<>();
    private final Deque<Candidate> replayCandidates = new ArrayDeque<>();
    private boolean replaying;
    private long replayBytes;
    private volatile boolean closed;

    /** What became of an offered release. */
    public sealed interface Outcome {
        /** The release serves now. */
        record Accepted(ReleaseManifest manifest) implements Outcome {}

        /** The release was refused; the previous model (if any) keeps serving. */
        record Rejected(String version, String reason) implements Outcome {}

        /** The release is the one already serving, or about to (same digest); nothing changed. */
        record Unchanged(ReleaseManifest manifest) implements Outcome {}

        /** Verified while the topic is read at startup; it serves at the end of the read unless a newer one does. */
        record Pending(ReleaseManifest manifest) implements Outcome {}
    }

    /** A verified release, where it came from, and how long verifying it took. */
    private record Candidate(ReleaseBundle bundle, String origin, long verifyNanos) {}

    /**
     * @param verifier   what a release record must be: see {@link ReleaseVerifier}
     * @param allowOlder with signatures required, whether a signed release created before the serving one may
     *                   replace it; if not, it is refused: a writer to the models topic could otherwise bring back an
     *                   old release someone once signed (a lower bar for alarms, say) just by re-publishing it
     */
    public ModelRegistry(
            String modelName,
            int windowLength,
            ScoringModel.Loader loader,
            StreamerMetrics metrics,
            ReleaseVerifier verifier,
            boolean allowOlder) {
        this.modelName = modelName;
        this.windowLength = windowLength;
        this.loader = loader;
        this.metrics = metrics;
        this.verifier = verifier;
        this.allowOlder = allowOlder;
    }

    public String modelName() {
        return modelName;
    }

    /**
     * Calls {@code listener} with the manifest of each release that starts serving (the first one, and each swap),
     * on the thread that swapped it in. A listener must be quick and must not throw.
     */
    public void onServing(Consumer<ReleaseManifest> listener) {
        servingListeners.add(listener);
    }

    /**
     * Verifies a release record and, unless the models topic is being read at startup, loads it and swaps it in.
     *
     * @param origin where the record came from, for the log ({@code ecg.models/0/12})
     */
    public synchronized Outcome offer(ReleaseRecord record, String origin) {
        if (closed) {
            throw new IllegalStateException("model registry is closed");
        }
        long start = System.nanoTime();
        ReleaseBundle bundle;
        try {
            bundle = verifier.verify(record);
        } catch (InvalidReleaseException e) {
            return reject(claimedVersion(record.key()), origin, e.getMessage());
        }
        ReleaseManifest m = bundle.manifest();
        ReleaseManifest reference = replaying && !replayCandidates.isEmpty()
                ? replayCandidates.peekLast().bundle().manifest()
                : serving().orElse(null);
        if (reference != null && m.digest().equals(reference.digest())) {
            metrics.releaseUnchanged();
            log.debug("Release {} {} from {} is already serving", m.modelName(), m.version(), origin);
            return new Outcome.Unchanged(m);
        }
        Optional<String> refusal = whyNotServable(m, reference);
        if (refusal.isPresent()) {
            return reject(m.version(), origin, refusal.get());
        }
        try {
            loader.check(bundle);
        } catch (InvalidReleaseException e) {
            return reject(m.version(), origin, e.getMessage());
        }
        Candidate candidate = new Candidate(bundle, origin, System.nanoTime() - start);
        if (replaying) {
            replayCandidates.addLast(candidate);
            replayBytes += sizeOf(bundle);
            while (replayBytes > REPLAY_CANDIDATE_BYTES && replayCandidates.size() > 1) {
                Candidate oldest = replayCandidates.removeFirst();
                replayBytes -= sizeOf(oldest.bundle());
                superseded(oldest);
            }
            return new Outcome.Pending(m);
        }
        return load(candidate);
    }

    /** The models topic is being read from its start: verify what comes, load only at {@link #replayEnded()}. */
    public synchronized void replayStarted() {
        replaying = true;
    }

    /**
     * The startup read reached the end of the topic: load the newest verified release; if it fails, the one before
     * it, and so on, as a live streamer would keep serving the previous release when a new one fails.
     */
    public synchronized void replayEnded() {
        replaying = false;
        replayBytes = 0;
        while (!replayCandidates.isEmpty()) {
            Candidate newest = replayCandidates.removeLast();
            if (load(newest) instanceof Outcome.Accepted) {
                replayCandidates.forEach(this::superseded);
                replayCandidates.clear();
            }
        }
    }

    private Outcome load(Candidate candidate) {
        ReleaseManifest m = candidate.bundle().manifest();
        long start = System.nanoTime();
        ScoringModel model;
        try {
            model = loader.load(candidate.bundle());
        } catch (InvalidReleaseException e) {
            return reject(m.version(), candidate.origin(), e.getMessage());
        } catch (RuntimeException | LinkageError e) {
            return reject(m.version(), candidate.origin(), "loading failed: " + e);
        }
        swapIn(model, candidate.origin(), candidate.verifyNanos() + System.nanoTime() - start);
        return new Outcome.Accepted(m);
    }

    private static long sizeOf(ReleaseBundle bundle) {
        return bundle.modelFiles().values().stream().mapToLong(b -> b.length).sum();
    }

    private void superseded(Candidate candidate) {
        metrics.releaseSuperseded();
        log.info(
                "Release {} {} from {} verified; not loaded, a newer release follows on the topic",
                candidate.bundle().modelName(),
                candidate.bundle().version(),
                candidate.origin());
    }

    /**
     * Why a verified release may not serve on this streamer, if it may not: another model name, older than the
     * serving one (with signatures required, unless that is allowed), or another window length.
     *
     * @param serving the manifest of the release serving (or about to), or null
     */
    private Optional<String> whyNotServable(ReleaseManifest m, ReleaseManifest serving) {
        if (!modelName.equals(m.modelName())) {
            return Optional.of("release is of model '" + m.modelName() + "', this streamer serves '" + modelName + "'");
        }
        if (verifier.signaturesRequired() && !allowOlder && serving != null) {
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
                    m.scoring().metric(),
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
                    m.scoring().metric(),
                    m.digest(),
                    origin,
                    loadNanos / 1_000_000);
            previous.release();
        }
        for (Consumer<ReleaseManifest> listener : servingListeners) {
            try {
                listener.accept(m);
            } catch (RuntimeException e) {
                log.error("A listener of the serving model failed", e);
            }
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
            return Optional.of("its creation time '" + UntrustedText.of(offered.createdAt())
                    + "' cannot be compared with the serving release's '" + serving.createdAt() + "'");
        }
        if (offeredAt.isAfter(servingAt)) {
            return Optional.empty();
        }
        return Optional.of("it was created at " + offered.createdAt() + ", not after the serving version "
                + serving.version() + " (" + serving.createdAt() + "): refused as a possible replay of an old signed "
                + "release; to roll back on purpose, set ecg.release.allow.older=true");
    }

    /** The version a record that failed to verify claims by its key, escaped for the log; "unknown" without one. */
    private static String claimedVersion(String key) {
        return ReleaseKey.parse(key)
                .map(k -> k.version() + " (unverified)")
                .orElseGet(() -> key == null ? "unknown" : "unknown (record key '" + UntrustedText.of(key) + "')");
    }

    /** Logs first, then counts: whoever sees the count finds the line. */
    private Outcome reject(String version, String origin, String reason) {
        ModelLease serving = current.get();
        log.warn(
                "Rejected model release {} version {} from {}: {}; {}",
                modelName,
                version,
                origin,
                reason,
                serving != null
                        ? "version " + serving.model().manifest().version() + " keeps serving"
                        : replaying && !replayCandidates.isEmpty()
                                ? "version "
                                        + replayCandidates.peekLast().bundle().version()
                                        + " is to serve once the models topic is read to its end"
                                : "no model serves yet, windows keep waiting");
        metrics.releaseRejected();
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

    /** Whether a valid model is loaded and serves. */
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
        replayCandidates.clear();
        ModelLease lease = current.getAndSet(null);
        if (lease != null) {
            lease.release();
        }
    }
}
