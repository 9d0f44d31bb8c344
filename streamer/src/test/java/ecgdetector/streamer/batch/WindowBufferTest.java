package ecgdetector.streamer.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ecgdetector.schemas.HeartbeatWindow;
import ecgdetector.schemas.WindowSource;
import ecgdetector.streamer.window.BufferedWindow;
import java.util.ArrayList;
import java.util.List;
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

    @Test
    void batchesAreTheOldestWindowsAndRemovingThemLeavesTheStoreInStep() {
        WindowBuffer buffer = new WindowBuffer(store, 1_000);
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
        WindowBuffer before = new WindowBuffer(store, 1_000);
        for (long offset = 0; offset < 600; offset++) {
            before.append(window(offset));
        }
        before.remove(before.oldest(256));

        WindowBuffer restored = new WindowBuffer(store, 1_000);
        assertThat(restored.size()).isEqualTo(344);
        assertThat(restored.oldestBufferedAt()).isEqualTo(1_000 + 256);
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
    void aBacklogPastTheQueueWaitsInTheStoreAndComesBackInOrder() {
        WindowBuffer buffer = new WindowBuffer(store, 4);
        for (long offset = 0; offset < 10; offset++) {
            buffer.append(window(offset));
        }
        assertThat(buffer.size()).isEqualTo(10);
        List<BufferedWindow> first = buffer.oldest(6);
        assertThat(offsetsOf(first))
                .as("a batch larger than the queue is read on from the store")
                .containsExactly(0L, 1L, 2L, 3L);
        buffer.remove(first);
        buffer.append(window(10));
        assertThat(buffer.oldestBufferedAt()).isEqualTo(1_000 + 4);
        List<BufferedWindow> second = buffer.oldest(3);
        assertThat(offsetsOf(second)).containsExactly(4L, 5L, 6L);
        assertThat(second.get(2).window().samples())
                .containsExactly(window(6).window().samples());
        buffer.remove(second);

        WindowBuffer restored = new WindowBuffer(store, 2);
        assertThat(restored.size()).isEqualTo(4);
        List<Long> drained = new ArrayList<>();
        while (!restored.isEmpty()) {
            List<BufferedWindow> batch = restored.oldest(3);
            drained.addAll(offsetsOf(batch));
            restored.remove(batch);
        }
        assertThat(drained).containsExactly(7L, 8L, 9L, 10L);
        assertThat(stored()).isEmpty();
    }

    @Test
    void aReplayedRecordIsNotAddedTwice() {
        WindowBuffer before = new WindowBuffer(store, 1);
        before.append(window(5));
        before.append(window(6));
        before.append(window(7));
        before.remove(before.oldest(1));

        // At-least-once after a crash: the store kept 6 and 7 (5 was scored), the input is replayed from 5.
        WindowBuffer restored = new WindowBuffer(store, 1);
        assertThat(restored.append(window(5))).isFalse();
        assertThat(restored.append(window(6))).isFalse();
        assertThat(restored.append(window(7))).isFalse();
        assertThat(restored.append(window(8))).isTrue();

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
        WindowBuffer buffer = new WindowBuffer(store, 1_000);
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

    private List<Long> stored() {
        List<Long> offsets = new ArrayList<>();
        try (KeyValueIterator<Bytes, BufferedWindow> it = store.all()) {
            while (it.hasNext()) {
                KeyValue<Bytes, BufferedWindow> next = it.next();
                assertThat(next.key)
                        .isEqualTo(WindowBuffer.key(0, next.value.source().offset()));
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
