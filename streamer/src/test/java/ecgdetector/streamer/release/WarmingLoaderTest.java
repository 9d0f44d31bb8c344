package ecgdetector.streamer.release;

import static org.assertj.core.api.Assertions.assertThat;

import ecgdetector.model.inference.AutoencoderTranslator;
import ecgdetector.model.inference.ScoringModel;
import ecgdetector.model.scoring.BeatScore;
import ecgdetector.model.testing.TestKeys;
import ecgdetector.schemas.ReleaseManifest;
import ecgdetector.streamer.ops.StreamerMetrics;
import ecgdetector.streamer.testing.FakeModels;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/** Every release is run on every padded batch shape before it serves: at the first load and at every swap. */
class WarmingLoaderTest {

    private static final List<Integer> TENSOR_SHAPES =
            List.of(AutoencoderTranslator.SMALL_TENSOR_ROWS, AutoencoderTranslator.TENSOR_ROWS);

    private final FakeModels models = new FakeModels();
    private final StreamerMetrics metrics = new StreamerMetrics(new SimpleMeterRegistry());

    private ModelRegistry registry(ScoringModel.Loader loader) {
        return new ModelRegistry(
                FakeModels.MODEL,
                FakeModels.LENGTH,
                new LoadWatchdog(new WarmingLoader(loader, 256), Duration.ofSeconds(30), metrics::loadAbandoned),
                metrics,
                TestKeys.trainer().verifier(),
                false);
    }

    @Test
    void theFirstReleaseAndEachSwappedInOneRanItsTensorShapesBeforeServingAndNoStreamBatchWasScored() {
        ModelRegistry registry = registry(models);
        Map<String, List<Integer>> warmedWhenServing = new ConcurrentHashMap<>();
        registry.onServing(m -> warmedWhenServing.put(m.version(), List.copyOf(loaded(m.version()).warmedShapes)));

        registry.offer(FakeModels.signed(FakeModels.release("v1", 1.0)), "o/0");
        registry.offer(FakeModels.signed(FakeModels.release("v2", 1.0)), "o/1");

        assertThat(warmedWhenServing).containsOnlyKeys("v1", "v2");
        assertThat(warmedWhenServing.get("v1")).isEqualTo(TENSOR_SHAPES);
        assertThat(warmedWhenServing.get("v2")).isEqualTo(TENSOR_SHAPES);
        // Warming used no thread's predictor and no stream batch: those start when the stream scores.
        assertThat(models.batchSizes).isEmpty();
        assertThat(models.predictorsCreated).hasValue(0);
        registry.close();
    }

    @Test
    void aReleaseThatFailsItsWarmUpIsClosedAndRefusedAndThePreviousOneKeepsServing() {
        ScoringModel.Loader failsToWarmV2 = bundle -> {
            ScoringModel model = models.load(bundle);
            if (!bundle.version().equals("v2")) {
                return model;
            }
            return new ScoringModel() {
                @Override
                public ReleaseManifest manifest() {
                    return model.manifest();
                }

                @Override
                public BeatScore[] score(float[][] rawWindows) {
                    return model.score(rawWindows);
                }

                @Override
                public int warmUp(int largestBatch) {
                    throw new IllegalStateException("engine failed on a batch of " + largestBatch);
                }

                @Override
                public void close() {
                    model.close();
                }
            };
        };
        ModelRegistry registry = registry(failsToWarmV2);
        registry.offer(FakeModels.signed(FakeModels.release("v1", 1.0)), "o/0");

        ModelRegistry.Outcome outcome = registry.offer(FakeModels.signed(FakeModels.release("v2", 1.0)), "o/1");

        assertThat(outcome)
                .isInstanceOfSatisfying(
                        ModelRegistry.Outcome.Rejected.class,
                        r -> assertThat(r.reason())
                                .contains("failed its warm-up")
                                .contains("batch of 256"));
        assertThat(loaded("v2").closed).isTrue();
        assertThat(registry.serving()).map(ReleaseManifest::version).contains("v1");
        registry.close();
    }

    private FakeModels.FakeModel loaded(String version) {
        return models.loaded.stream()
                .filter(m -> m.version().equals(version))
                .findFirst()
                .orElseThrow();
    }
}
