package ecgdetector.model.inference;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

class ThreadPredictorsTest {

    private static final class Predictor implements AutoCloseable {
        boolean closed;

        @Override
        public void close() {
            closed = true;
        }
    }

    private final List<Predictor> created = new ArrayList<>();
    private final ThreadPredictors<Predictor> predictors = new ThreadPredictors<>(() -> {
        Predictor p = new Predictor();
        synchronized (created) {
            created.add(p);
        }
        return p;
    });

    @Test
    void eachThreadKeepsItsOwnUntilItFails() throws Exception {
        Predictor mine = predictors.get();
        assertThat(predictors.get()).isSameAs(mine);
        ExecutorService other = Executors.newSingleThreadExecutor();
        try {
            Predictor theirs = other.submit(predictors::get).get();
            assertThat(theirs).isNotSameAs(mine);
            assertThat(predictors.size()).isEqualTo(2);

            predictors.discard();
            assertThat(mine.closed).isTrue();
            assertThat(predictors.get()).as("a fresh one after a failure").isNotSameAs(mine);
            assertThat(other.submit(predictors::get).get()).isSameAs(theirs);

            predictors.close();
            assertThat(created).allMatch(p -> p.closed).hasSize(3);
        } finally {
            other.shutdownNow();
        }
    }

    @Test
    void thoseOfDeadThreadsAreClosedWhenAnotherIsCreated() throws Exception {
        Thread t = new Thread(predictors::get);
        t.start();
        t.join();
        Predictor dead = created.get(0);
        assertThat(dead.closed).isFalse();
        predictors.get();
        assertThat(dead.closed).isTrue();
        assertThat(predictors.size()).isEqualTo(1);
    }
}
