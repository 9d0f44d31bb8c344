package ecgdetector.streamer.release;

import static org.assertj.core.api.Assertions.assertThat;

import ecgdetector.model.testing.TestKeys;
import ecgdetector.streamer.ops.StreamerMetrics;
import ecgdetector.streamer.testing.FakeModels;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Tasks score with a lease on the model; a swapped-out model is closed once no task holds it. */
class ModelLeaseTest {

    private final FakeModels models = new FakeModels();
    private final ModelRegistry registry = new ModelRegistry(
            FakeModels.MODEL,
            140,
            models,
            StreamerMetrics.noop(),
            TestKeys.trainer().verifier(),
            false);
    private final float[][] batch = {FakeModels.constant(1f), FakeModels.constant(2f)};

    @Test
    void withoutAModelThereIsNoLease() {
        assertThat(registry.hasModel()).isFalse();
        assertThat(registry.renew(null)).isNull();
    }

    @Test
    void theOldModelIsClosedOnlyAfterEveryHolderMovedOn() throws Exception {
        registry.offer(FakeModels.signed(FakeModels.release("v1", 1.0)), "test");
        ExecutorService other = Executors.newSingleThreadExecutor();
        try {
            ModelLease mine = registry.renew(null);
            ModelLease theirs = other.submit(() -> scored(registry.renew(null))).get();
            mine.model().score(batch);
            assertThat(models.loaded.get(0).openPredictors).as("one per thread").hasValue(2);

            registry.offer(FakeModels.signed(FakeModels.release("v2", 1.0)), "test");
            FakeModels.FakeModel v1 = models.loaded.get(0);
            mine = scored(registry.renew(mine));
            assertThat(mine.model().manifest().version()).isEqualTo("v2");
            assertThat(v1.closed).as("the other task still holds v1").isFalse();

            other.submit(theirs::release).get();
            assertThat(v1.closed).as("the other task's batch on v1 is done").isTrue();
            assertThat(v1.openPredictors).hasValue(0);

            mine.release();
            assertThat(models.loaded.get(1).closed)
                    .as("the registry still serves v2")
                    .isFalse();
            registry.close();
            assertThat(models.loaded.get(1).closed).isTrue();
            assertThat(models.loaded.get(1).openPredictors).hasValue(0);
        } finally {
            other.shutdownNow();
        }
    }

    @Test
    void concurrentSwapsNeverScoreWithAClosedModel() throws Exception {
        registry.offer(FakeModels.signed(FakeModels.release("v0", 1.0)), "test");
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            Future<?>[] workers = new Future<?>[3];
            for (int w = 0; w < workers.length; w++) {
                workers[w] = pool.submit(() -> {
                    ModelLease lease = null;
                    for (int i = 0; i < 2_000; i++) {
                        lease = scored(registry.renew(lease));
                    }
                    lease.release();
                    return null;
                });
            }
            for (int v = 1; v <= 50; v++) {
                registry.offer(FakeModels.signed(FakeModels.release("v" + v, 1.0)), "test");
            }
            for (Future<?> f : workers) {
                f.get(60, TimeUnit.SECONDS);
            }
            assertThat(models.loaded.stream().filter(m -> !m.closed).count()).isEqualTo(1);
            assertThat(models.loaded.stream()
                            .filter(m -> m.closed)
                            .mapToInt(m -> m.openPredictors.get())
                            .sum())
                    .isZero();
        } finally {
            pool.shutdownNow();
        }
    }

    private ModelLease scored(ModelLease lease) {
        lease.model().score(batch);
        return lease;
    }
}
