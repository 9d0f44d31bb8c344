package ecgdetector.streamer.alarm;

import static org.assertj.core.api.Assertions.assertThat;

import ecgdetector.model.alarm.AlarmRule;
import ecgdetector.model.alarm.PatientAlarms;
import ecgdetector.schemas.Alarm;
import ecgdetector.schemas.RejectReason;
import ecgdetector.schemas.WindowSource;
import ecgdetector.streamer.ops.ScoringCoverage;
import ecgdetector.streamer.ops.StreamerMetrics;
import ecgdetector.streamer.window.DeadLettered;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

/** What a topology test cannot reach: one processor instance closed and initialised again, as a revived task is. */
class AlarmProcessorTest {

    @Test
    void aProcessorInitialisedAgainKnowsOnlyThePatientsItsStoreHolds() {
        StreamerMetrics metrics = new StreamerMetrics(new SimpleMeterRegistry());
        KeyValueStore<Bytes, PatientAlarms> store = Stores.keyValueStoreBuilder(
                        Stores.inMemoryKeyValueStore("alarms"),
                        Serdes.Bytes(),
                        new PatientAlarmsSerde(AlarmRule.DEFAULT.window()))
                .withLoggingDisabled()
                .build();
        MockProcessorContext<byte[], Alarm> context = new MockProcessorContext<>();
        context.setCurrentSystemTimeMs(1_000);
        store.init(context.getStateStoreContext(), store);
        context.addStateStore(store);
        AlarmProcessor processor = new AlarmProcessor(
                "alarms", AlarmRule.DEFAULT, "in", 86_400_000, 30_000, task -> ScoringCoverage.SCORING, metrics);

        processor.init(context);
        deadLetter(processor, "patient-a", 1);
        deadLetter(processor, "patient-b", 2);
        assertThat(metrics.alarmPatients()).isEqualTo(2);

        // The transaction that wrote patient-b aborts: the task is revived on the same processor instance, its
        // store restored without patient-b.
        store.delete(Bytes.wrap("patient-b".getBytes(StandardCharsets.UTF_8)));
        processor.close();
        processor.init(context);
        assertThat(metrics.alarmPatients()).isEqualTo(1);

        processor.close();
        assertThat(metrics.alarmPatients()).isZero();
    }

    private static void deadLetter(AlarmProcessor processor, String patient, long offset) {
        processor.process(new Record<>(
                patient.getBytes(StandardCharsets.UTF_8),
                new DeadLettered(new WindowSource("in", 0, offset), 1_000 + offset, RejectReason.WRONG_LENGTH),
                1_000 + offset));
    }
}
