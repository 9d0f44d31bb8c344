package ecgdetector.streamer.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ecgdetector.schemas.HeartbeatWindow;
import ecgdetector.schemas.WindowSource;
import ecgdetector.streamer.window.BufferedWindow;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

/**
 * The buffer keeps its order in memory and the store only for crash safety: what it hands out must always be
 * what the store holds, oldest first, and a buffer rebuilt from the store (a restore) must carry on the same.
 */
class WindowBufferTest {

    private final KeyValueStore<Bytes, BufferedWindow> store = Stores.keyValueStoreBuilder(
                    Stores.inMemoryKeyValueStore("buffer"), Serdes.Bytes(), new BufferedWindowSerde())
            .withLoggingDisabled()
            .build();

    WindowBufferTest() {
        MockProcessorContext<Void, Void> context = new MockProcessorContext<>();
        store.init(context.getStateStoreContext(), store);
    }

    /** A buffer as a task of an instance with room for {@code inMemory} queued windows opens it at time 0. */
    private WindowBuffer buffer(int inMemory) {
        return new WindowBuffer(store, new QueueBudget(inMemory), 1, 0);
    }

    @Test
    void batchesAreTheOldestWindowsAndRemovingThemLeavesTheStoreInStep() {
        WindowBuffer buffer = buffer(1_000);
        assertThat(buffer.isEmpty()).isTrue();
        assertThat(buffer.oldestBufferedAt()).isEqualTo(Long.MAX_VALUE);
        // Offsets across byte boundaries: the store's byte order must stay numeric order.
        long[] offsets = {254, 255, 256, 257, 65_535, 65_536, 70_000};
        for (long offset : offsets) {
            buffer.append(window(offset));
        }
        assertThat(buffer.size()).isEqualTo(7);
        assertThat(buffer.oldestBufferedAt()).isEqualTo(1_000 + 254);

        List<BufferedWindow> first = buffer.oldest(3);
        assertThat(offsetsOf(first)).containsExactly(254L, 255L, 256L);
        assertThat(buffer.size()).as("taking a batch removes nothing yet").isEqualTo(7);
        buffer.remove(first);

        assertThat(buffer.size()).isEqualTo(4);
        assertThat(buffer.oldestBufferedAt()).isEqualTo(1_000 + 257);
        assertThat(offsetsOf(buffer.oldest(100))).containsExactly(257L, 65_535L, 65_536L, 70_000L);
        assertThat(stored()).containsExactly(257L, 65_535L, 65_536L, 70_000L);

        buffer.remove(buffer.oldest(100));
        assertThat(buffer.isEmpty()).isTrue();
        assertThat(buffer.oldestBufferedAt()).isEqualTo(Long.MAX_VALUE);
        assertThat(stored()).isEmpty();
    }

    @Test
    void aBufferRebuiltFromItsStoreCarriesOnWithTheSameWindowsInTheSameOrder() {
        WindowBuffer before = buffer(1_000);
        for (long offset = 0; offset < 600; offset++) {
            before.append(window(offset));
        }
        before.remove(before.oldest(256));

        WindowBuffer restored = new WindowBuffer(store, new QueueBudget(1_000), 1, 77_000);
        assertThat(restored.size()).isEqualTo(344);
        assertThat(restored.oldestBufferedAt())
                .as("a restored window waits on the restoring instance's clock")
                .isEqualTo(77_000);
        List<BufferedWindow> batch = restored.oldest(256);
        assertThat(offsetsOf(batch)).isEqualTo(offsetsOf(before.oldest(256)));
        assertThat(batch.get(0).window().samples())
                .containsExactly(window(256).window().samples());

        restored.remove(batch);
        restored.append(window(600));
        assertThat(offsetsOf(restored.oldest(1_000)))
                .isEqualTo(stored())
                .hasSize(89)
                .startsWith(512L)
                .endsWith(600L);
    }

    @Test
    void aBacklogPastTheBudgetWaitsInTheStoreAndComesBackInOrder() {
        QueueBudget budget = new QueueBudget(4);
        WindowBuffer buffer = new WindowBuffer(store, budget, 1, 0);
        for (long offset = 0; offset < 10; offset++) {
            buffer.append(window(offset));
        }
        assertThat(buffer.size()).isEqualTo(10);
        assertThat(budget.inUse()).isEqualTo(4);
        List<BufferedWindow> first = buffer.oldest(6);
        assertThat(offsetsOf(first))
                .as("a batch larger than the budget is read on from the store")
                .containsExactly(0L, 1L, 2L, 3L, 4L, 5L);
        buffer.remove(first);
        assertThat(budget.inUse()).as("refilled within the budget").isEqualTo(4);
        buffer.append(window(10));
        assertThat(buffer.oldestBufferedAt()).isEqualTo(1_000 + 6);
        List<BufferedWindow> second = buffer.oldest(3);
        assertThat(offsetsOf(second)).containsExactly(6L, 7L, 8L);
        assertThat(second.get(2).window().samples())
                .containsExactly(window(8).window().samples());
        buffer.remove(second);

        WindowBuffer restored = new WindowBuffer(store, new QueueBudget(1), 1, 5_000);
        assertThat(restored.size()).isEqualTo(2);
        assertThat(restored.oldest(2))
                .as("restored windows read on from the store also wait on this instance's clock")
                .extracting(BufferedWindow::bufferedAt)
                .containsOnly(5_000L);
        List<Long> drained = new ArrayList<>();
        while (!restored.isEmpty()) {
            List<BufferedWindow> batch = restored.oldest(3);
            drained.addAll(offsetsOf(batch));
            restored.remove(batch);
        }
        assertThat(drained).containsExactly(9L, 10L);
        assertThat(stored()).isEmpty();
    }

    @Test
    void aReplayedRecordIsNotAddedTwice() {
        WindowBuffer before = buffer(1);
        before.append(window(5));
        before.append(window(6));
        before.append(window(7));
        before.remove(before.oldest(1));

        // At-least-once after a crash: the store kept 6 and 7 (5 was scored), the input is replayed from 5.
        WindowBuffer restored = buffer(1);
        assertThat(restored.append(window(5))).isEqualTo(WindowBuffer.Append.REPLAYED);
        assertThat(restored.append(window(6))).isEqualTo(WindowBuffer.Append.REPLAYED);
        assertThat(restored.append(window(7))).isEqualTo(WindowBuffer.Append.REPLAYED);
        assertThat(restored.append(window(8))).isEqualTo(WindowBuffer.Append.ADDED);

        assertThat(restored.size()).isEqualTo(3);
        List<Long> drained = new ArrayList<>();
        while (!restored.isEmpty()) {
            List<BufferedWindow> batch = restored.oldest(2);
            drained.addAll(offsetsOf(batch));
            restored.remove(batch);
        }
        assertThat(drained).containsExactly(6L, 7L, 8L);
    }

    @Test
    void removingWindowsThatAreNotTheOldestIsRefusedAndChangesNothing() {
        WindowBuffer buffer = buffer(1_000);
        for (long offset = 0; offset < 4; offset++) {
            buffer.append(window(offset));
        }
        List<BufferedWindow> notOldest = buffer.oldest(4).subList(1, 3);

        assertThatThrownBy(() -> buffer.remove(notOldest))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ecg.heartbeats/0/1");
        assertThat(buffer.size()).isEqualTo(4);
        assertThat(stored()).containsExactly(0L, 1L, 2L, 3L);
    }

    @Test
    void theBudgetIsSharedByEveryTaskAndATaskWithNothingQueuedStillGetsItsBatch() {
        QueueBudget budget = new QueueBudget(10);
        KeyValueStore<Bytes, BufferedWindow> other = Stores.keyValueStoreBuilder(
                        Stores.inMemoryKeyValueStore("other"), Serdes.Bytes(), new BufferedWindowSerde())
                .withLoggingDisabled()
                .build();
        other.init(new MockProcessorContext<Void, Void>().getStateStoreContext(), other);
        WindowBuffer hog = new WindowBuffer(store, budget, 4, 0);
        WindowBuffer late = new WindowBuffer(other, budget, 4, 0);
        for (long offset = 0; offset < 50; offset++) {
            hog.append(window(offset));
        }
        assertThat(budget.inUse()).as("the first task took the whole budget").isEqualTo(10);
        for (long offset = 0; offset < 5; offset++) {
            late.append(window(offset));
        }
        assertThat(budget.inUse()).isEqualTo(10);

        List<BufferedWindow> batch = late.oldest(4);
        assertThat(offsetsOf(batch)).as("read from the store anyway").containsExactly(0L, 1L, 2L, 3L);
        assertThat(budget.inUse()).isEqualTo(14);
        late.remove(batch);
        assertThat(budget.inUse())
                .as("given back, and nothing more taken while the budget is spent")
                .isEqualTo(10);

        List<Long> drained = new ArrayList<>();
        while (!hog.isEmpty()) {
            List<BufferedWindow> next = hog.oldest(4);
            drained.addAll(offsetsOf(next));
            hog.remove(next);
            assertThat(budget.inUse()).isLessThanOrEqualTo(14);
        }
        assertThat(drained).hasSize(50).isSorted();
        late.release();
        assertThat(budget.inUse()).isZero();
    }

    @Test
    void offsetsOfARecreatedTopicAreANewIncarnationAfterTheOldOnesNotReplays() {
        Uuid old = Uuid.randomUuid();
        Uuid recreated = Uuid.randomUuid();
        WindowBuffer buffer = buffer(1_000);
        for (long offset = 100; offset < 103; offset++) {
            assertThat(buffer.append(window(offset).inEpoch(0, old))).isEqualTo(WindowBuffer.Append.ADDED);
        }
        assertThat(buffer.append(window(101).inEpoch(0, old))).isEqualTo(WindowBuffer.Append.REPLAYED);
        assertThat(buffer.append(window(0).inEpoch(0, recreated)))
                .isEqualTo(WindowBuffer.Append.ADDED_TO_RECREATED_TOPIC);
        assertThat(buffer.append(window(1).inEpoch(0, recreated))).isEqualTo(WindowBuffer.Append.ADDED);
        assertThat(buffer.append(window(101).inEpoch(0, null)))
                .as("no id known: the latest incarnation")
                .isEqualTo(WindowBuffer.Append.ADDED);

        WindowBuffer restored = buffer(1_000);
        assertThat(restored.topicId(0)).isEqualTo(recreated);
        assertThat(restored.append(window(1).inEpoch(0, recreated))).isEqualTo(WindowBuffer.Append.REPLAYED);
        List<BufferedWindow> all = restored.oldest(100);
        assertThat(offsetsOf(all)).as("the old topic's windows first").containsExactly(100L, 101L, 102L, 0L, 1L, 101L);
        assertThat(all).extracting(BufferedWindow::epoch).containsExactly(0, 0, 0, 1, 1, 1);
        restored.remove(all);
        assertThat(stored()).isEmpty();
    }

    private List<Long> stored() {
        List<Long> offsets = new ArrayList<>();
        try (KeyValueIterator<Bytes, BufferedWindow> it = store.all()) {
            while (it.hasNext()) {
                KeyValue<Bytes, BufferedWindow> next = it.next();
                assertThat(next.key)
                        .isEqualTo(WindowBuffer.key(
                                0, next.value.epoch(), next.value.source().offset()));
                offsets.add(next.value.source().offset());
            }
        }
        return offsets;
    }

    private static List<Long> offsetsOf(List<BufferedWindow> windows) {
        return windows.stream().map(w -> w.source().offset()).toList();
    }

    private static BufferedWindow window(long offset) {
        float[] samples = new float[140];
        samples[0] = offset;
        return new BufferedWindow(
                new WindowSource("ecg.heartbeats", 0, offset),
                500 + offset,
                1_000 + offset,
                ("patient-" + offset % 3).getBytes(),
                new HeartbeatWindow(null, null, 500 + offset, samples, null));
    }
}
