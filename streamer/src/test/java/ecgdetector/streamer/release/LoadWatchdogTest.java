package ecgdetector.streamer.release;

import static org.assertj.core.api.Assertions.assertThat;

import ecgdetector.model.inference.ScoringModel;
import ecgdetector.model.testing.TestKeys;
import ecgdetector.schemas.ReleaseManifest;
import ecgdetector.streamer.ops.StreamerMetrics;
import ecgdetector.streamer.testing.FakeModels;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A load that does not return is cut off at the limit; the global thread goes on and the old model serves. */
class LoadWatchdogTest {

    private final FakeModels models = new FakeModels();
    private final StreamerMetrics metrics = new StreamerMetrics(new SimpleMeterRegistry());

    @Test
    void aLoadThatBlocksIsRejectedAtTheLimitItsThreadAbandonedAndThePreviousModelKeepsServing() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch lateLoadDone = new CountDownLatch(1);
        ScoringModel.Loader blocksOnV2 = bundle -> {
            if (bundle.version().equals("v2")) {
                // Stands in for a graph that never returns: TensorFlow cannot be interrupted from outside.
                awaitQuietly(release);
                try {
                    return models.load(bundle);
                } finally {
                    lateLoadDone.countDown();
                }
            }
            return models.load(bundle);
        };
        ModelRegistry registry = new ModelRegistry(
                FakeModels.MODEL,
                140,
                new LoadWatchdog(blocksOnV2, Duration.ofMillis(300), metrics::loadAbandoned),
                metrics,
                TestKeys.trainer().verifier(),
                false);
        registry.offer(FakeModels.signed(FakeModels.release("v1", 1.0)), "o/0");

        ModelRegistry.Outcome stuck = registry.offer(FakeModels.signed(FakeModels.release("v2", 1.0)), "o/1");

        assertThat(stuck)
                .isInstanceOfSatisfying(
                        ModelRegistry.Outcome.Rejected.class,
                        r -> assertThat(r.reason())
                                .contains("did not finish within 300 ms")
                                .contains("ecg.release.load.timeout.ms"));
        assertThat(metrics.loadsAbandoned()).isEqualTo(1);
        assertThat(metrics.releasesRejected()).isEqualTo(1);
        assertThat(registry.serving()).map(ReleaseManifest::version).contains("v1");
        // The global thread is free: the next release loads as usual.
        assertThat(registry.offer(FakeModels.signed(FakeModels.release("v3", 1.0)), "o/2"))
                .isInstanceOf(ModelRegistry.Outcome.Accepted.class);

        // Should the abandoned load return after all, what it loaded is closed, never served.
        release.countDown();
        assertThat(lateLoadDone.await(10, TimeUnit.SECONDS)).isTrue();
        FakeModels.FakeModel late = models.loaded.stream()
                .filter(m -> m.version().equals("v2"))
                .findFirst()
                .orElseThrow();
        waitUntil(() -> late.closed);
        assertThat(registry.serving()).map(ReleaseManifest::version).contains("v3");
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void waitUntil(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition within 10 s").isLessThan(deadline);
            Thread.sleep(10);
        }
    }
}
