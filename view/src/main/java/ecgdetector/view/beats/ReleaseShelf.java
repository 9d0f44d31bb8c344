package ecgdetector.view.beats;

import ecgdetector.model.inference.ScoringModel;
import ecgdetector.model.release.InvalidReleaseException;
import ecgdetector.model.release.ReleaseBundle;
import ecgdetector.model.release.ReleaseRecord;
import ecgdetector.model.release.ReleaseVerifier;
import ecgdetector.model.scoring.BeatScore;
import ecgdetector.model.scoring.MinMaxScaler;
import ecgdetector.view.ward.Reconstructions;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The releases read from the models topic, by version, and the one way the view draws a window: the release that
 * scored it scales it ({@link MinMaxScaler}) and reconstructs it ({@link ScoringModel}, the model module's
 * release model), as the streamer did. A picture whose recomputed score is not bit for bit the streamer's is not
 * drawn: it would not be the beat that was scored.
 *
 * <p>Releases load on a thread of their own (TensorFlow takes a second or so); until one has loaded, its windows
 * say so. {@link #offer} is called by the reader of the models topic, {@link #draw} by one drawing thread.
 */
public final class ReleaseShelf implements Reconstructions, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ReleaseShelf.class);
    /** Release versions kept, read but not necessarily loaded: the newest few of the models topic. */
    private static final int BUNDLES_KEPT = 4;
    /** Releases kept loaded: the serving one and the one before it, across a swap. */
    private static final int MODELS_KEPT = 2;

    private final ScoringModel.Loader loader;
    private final ReleaseVerifier verifier;
    private final Map<String, ReleaseBundle> bundles = new LinkedHashMap<>();
    private final Map<String, ScoringModel> loaded = new ConcurrentHashMap<>();
    private final Map<String, String> failed = new ConcurrentHashMap<>();
    private final Map<String, Boolean> loading = new ConcurrentHashMap<>();
    private final LinkedHashMap<String, ScoringModel> inUse = new LinkedHashMap<>(4, 0.75f, true);
    private final ExecutorService loads = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "ward-release-loader");
        t.setDaemon(true);
        return t;
    });

    public ReleaseShelf(ScoringModel.Loader loader, ReleaseVerifier verifier) {
        this.loader = loader;
        this.verifier = verifier;
    }

    /**
     * A record of the models topic: its signature checked before it is read, by the one verifier every reader goes
     * through; the loader then checks its graph before TensorFlow runs it.
     *
     * @throws InvalidReleaseException if it is not a release this view trusts
     */
    public void offer(ReleaseRecord record) throws InvalidReleaseException {
        ReleaseBundle bundle = verifier.verify(record);
        synchronized (bundles) {
            bundles.remove(bundle.version());
            bundles.put(bundle.version(), bundle);
            while (bundles.size() > BUNDLES_KEPT) {
                bundles.remove(bundles.keySet().iterator().next());
            }
        }
    }

    /** The input length of a release read, if it was. */
    public Optional<Integer> inputLength(String version) {
        synchronized (bundles) {
            ReleaseBundle b = bundles.get(version);
            return b == null ? Optional.empty() : Optional.of(b.manifest().inputLength());
        }
    }

    @Override
    public Drawn draw(String version, float[] raw, float score) {
        if (version == null) {
            return Drawn.not("the score names no release");
        }
        ScoringModel model = model(version);
        if (model == null) {
            String why = failed.get(version);
            if (why != null) {
                return Drawn.not("release " + version + " does not load here: " + why);
            }
            return loading.containsKey(version)
                    ? Drawn.later("loading release " + version)
                    : Drawn.not("release " + version + " is not on the models topic");
        }
        if (raw.length != model.manifest().inputLength()) {
            return Drawn.not("the window has " + raw.length + " samples, release " + version + " takes "
                    + model.manifest().inputLength());
        }
        BeatScore recomputed = model.score(new float[][] {raw})[0];
        if (Float.compare(recomputed.error(), score) != 0) {
            return Drawn.not(String.format(
                    Locale.ROOT,
                    "recomputed score %s is not the streamer's %s: not the beat that was scored",
                    recomputed.error(),
                    score));
        }
        return Drawn.of(MinMaxScaler.of(model.manifest().scaler()).transform(raw), recomputed.reconstruction());
    }

    /** The loaded model of {@code version}, or null while it loads (a load is started if none is). */
    private ScoringModel model(String version) {
        ScoringModel model = inUse.get(version);
        if (model != null) {
            return model;
        }
        model = loaded.remove(version);
        if (model != null) {
            inUse.put(version, model);
            while (inUse.size() > MODELS_KEPT) {
                var eldest = inUse.entrySet().iterator().next();
                inUse.remove(eldest.getKey());
                eldest.getValue().close();
            }
            return model;
        }
        ReleaseBundle bundle;
        synchronized (bundles) {
            bundle = bundles.get(version);
        }
        if (bundle != null && !failed.containsKey(version) && loading.putIfAbsent(version, true) == null) {
            loads.submit(() -> load(bundle));
        }
        return null;
    }

    private void load(ReleaseBundle bundle) {
        try {
            ScoringModel previous = loaded.put(bundle.version(), loader.load(bundle));
            if (previous != null) {
                previous.close();
            }
            log.info("Ward view: release {} loaded, to draw the windows it scored", bundle.version());
        } catch (InvalidReleaseException | RuntimeException e) {
            failed.put(bundle.version(), e.getMessage());
            log.warn(
                    "Ward view: release {} does not load, its windows are shown undrawn: {}",
                    bundle.version(),
                    e.getMessage());
        } finally {
            loading.remove(bundle.version());
        }
    }

    @Override
    public void close() {
        loads.shutdownNow();
        inUse.values().forEach(ScoringModel::close);
        loaded.values().forEach(ScoringModel::close);
        inUse.clear();
        loaded.clear();
    }
}
