package ecgdetector.streamer.infer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ecgdetector.streamer.ops.StreamerMetrics;
import ecgdetector.streamer.release.ModelRegistry;
import ecgdetector.streamer.testing.FakeModels;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** One scorer per thread, swapped between batches; a swapped-out model is closed once no thread uses it. */
class BatchScorerTest {

    private final FakeModels models = new FakeModels();
    private final ModelRegistry registry = new ModelRegistry(FakeModels.MODEL, 140, models, StreamerMetrics.noop());
    private final BatchScorer scorer = new BatchScorer(registry);
    private final float[][] batch = {FakeModels.constant(1f), FakeModels.constant(2f)};

    @Test
    void withoutAModelNothingIsScored() {
        assertThat(registry.hasModel()).isFalse();
        assertThatThrownBy(() -> scorer.score(batch)).hasMessageContaining("no model");
    }

    @Test
    void theOldModelIsClosedOnlyAfterEveryThreadMovedOn() throws Exception {
        registry.offer(FakeModels.release("v1", 1.0), "test");
        ExecutorService other = Executors.newSingleThreadExecutor();
        try {
            scorer.attach();
            other.submit(scorer::attach).get();
            assertThat(scorer.score(batch).model().manifest().version()).isEqualTo("v1");
            assertThat(other.submit(() -> scorer.score(batch))
                            .get()
                            .model()
                            .manifest()
                            .version())
                    .isEqualTo("v1");
            assertThat(scorer.activeScorers()).isEqualTo(2);

            registry.offer(FakeModels.release("v2", 1.0), "test");
            FakeModels.FakeModel v1 = models.loaded.get(0);
            assertThat(scorer.score(batch).model().manifest().version()).isEqualTo("v2");
            assertThat(v1.closed).as("the other thread still holds v1").isFalse();

            other.submit(scorer::releaseStale).get(); // an idle thread lets go at its next punctuation
            assertThat(v1.closed).isTrue();
            assertThat(v1.openScorers).hasValue(0);
            assertThat(other.submit(() -> scorer.score(batch))
                            .get()
                            .model()
                            .manifest()
                            .version())
                    .isEqualTo("v2");

            other.submit(scorer::detach).get();
            scorer.detach();
            assertThat(scorer.activeScorers()).isZero();
            assertThat(models.loaded.get(1).openScorers).hasValue(0);
            assertThat(models.loaded.get(1).closed)
                    .as("the registry still serves v2")
                    .isFalse();
            registry.close();
            assertThat(models.loaded.get(1).closed).isTrue();
        } finally {
            other.shutdownNow();
        }
    }

    @Test
    void aThreadThatDiedWithoutDetachingIsCleanedUp() throws Exception {
        registry.offer(FakeModels.release("v1", 1.0), "test");
        CountDownLatch scored = new CountDownLatch(1);
        Thread t = new Thread(() -> {
            scorer.attach();
            scorer.score(batch);
            scored.countDown();
        });
        t.start();
        assertThat(scored.await(10, TimeUnit.SECONDS)).isTrue();
        t.join();
        registry.offer(FakeModels.release("v2", 1.0), "test");
        assertThat(models.loaded.get(0).closed).isFalse();
        scorer.releaseStale();
        assertThat(models.loaded.get(0).closed).isTrue();
    }

    @Test
    void concurrentSwapsNeverScoreWithAClosedModel() throws Exception {
        registry.offer(FakeModels.release("v0", 1.0), "test");
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            Future<?>[] workers = new Future<?>[3];
            for (int w = 0; w < workers.length; w++) {
                workers[w] = pool.submit(() -> {
                    scorer.attach();
                    for (int i = 0; i < 2_000; i++) {
                        scorer.score(batch);
                    }
                    scorer.detach();
                    return null;
                });
            }
            for (int v = 1; v <= 50; v++) {
                registry.offer(FakeModels.release("v" + v, 1.0), "test");
            }
            for (Future<?> f : workers) {
                f.get(60, TimeUnit.SECONDS);
            }
            long open = models.loaded.stream().filter(m -> !m.closed).count();
            assertThat(open).isEqualTo(1);
            assertThat(models.loaded.stream().mapToInt(m -> m.openScorers.get()).sum())
                    .isZero();
        } finally {
            pool.shutdownNow();
        }
    }
}
