package ecgdetector.app.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ecgdetector.app.replay.FeedReplayer.Ending;
import ecgdetector.app.replay.FeedReplayer.Progress;
import ecgdetector.app.replay.FeedReplayer.Result;
import ecgdetector.app.replay.FeedReplayer.Settings;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringSerializer;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/** The replay loop against Kafka's MockProducer and a fake clock: no broker, no wall clock. */
class FeedReplayerTest {

    private static final long S = 1_000_000_000L;
    private static final String TOPIC = "ecg.heartbeats";

    private final RateLimiterTest.FakeClock clock = new RateLimiterTest.FakeClock();
    private final List<Progress> reports = new ArrayList<>();

    private static MockProducer<String, String> producer() {
        return new MockProducer<>(true, null, new StringSerializer(), new StringSerializer());
    }

    private static Settings settings(double rate, int patients, boolean loop, long count) {
        return new Settings(TOPIC, rate, PatientKeys.of(patients), loop, count, "ecg.csv");
    }

    private Result replay(MockProducer<String, String> producer, Settings settings, Iterable<String> lines) {
        return new FeedReplayer(producer, settings, clock).replay(lines, reports::add);
    }

    @Test
    void sendsEachLineAsItIsToThePatientsInTurn() {
        MockProducer<String, String> producer = producer();
        List<String> lines =
                List.of("1.5,2.5,1", "", "{\"samples\":[1,2]}", "   ", "# a comment", "not,a,beat", "3,4,0");

        Result result = replay(producer, settings(0, 3, false, 0), lines);

        List<ProducerRecord<String, String>> sent = producer.history();
        assertThat(sent)
                .extracting(ProducerRecord::value)
                .containsExactly("1.5,2.5,1", "{\"samples\":[1,2]}", "not,a,beat", "3,4,0");
        assertThat(sent)
                .extracting(ProducerRecord::key)
                .containsExactly("patient-0001", "patient-0002", "patient-0003", "patient-0001");
        assertThat(sent).extracting(ProducerRecord::topic).containsOnly(TOPIC);
        assertThat(sent).extracting(r -> source(r)).containsExactly("ecg.csv:1", "ecg.csv:3", "ecg.csv:6", "ecg.csv:7");
        assertThat(result.ending()).isEqualTo(Ending.END_OF_LINES);
        Progress p = result.progress();
        assertThat(p.sent()).isEqualTo(4);
        assertThat(p.acknowledged()).isEqualTo(4);
        assertThat(p.failed()).isZero();
        assertThat(p.skipped()).isEqualTo(3);
        assertThat(p.csvLines()).isEqualTo(3);
        assertThat(p.jsonLines()).isEqualTo(1);
        assertThat(p.pass()).isEqualTo(1);
        assertThat(producer.flushed()).isTrue();
    }

    @Test
    void loopsOverTheLinesUntilTheCountKeepingThePatientRotation() {
        MockProducer<String, String> producer = producer();

        Result result = replay(producer, settings(0, 3, true, 10), List.of("a", "b", "c", "d"));

        assertThat(producer.history())
                .extracting(ProducerRecord::value)
                .containsExactly("a", "b", "c", "d", "a", "b", "c", "d", "a", "b");
        assertThat(producer.history())
                .extracting(ProducerRecord::key)
                .containsExactly(
                        "patient-0001",
                        "patient-0002",
                        "patient-0003",
                        "patient-0001",
                        "patient-0002",
                        "patient-0003",
                        "patient-0001",
                        "patient-0002",
                        "patient-0003",
                        "patient-0001");
        assertThat(result.ending()).isEqualTo(Ending.COUNT_REACHED);
        assertThat(result.progress().pass()).isEqualTo(3);
    }

    @Test
    void aCountEndingExactlyAtTheEndOfTheLinesIsReportedAsTheCount() {
        Result result = replay(producer(), settings(0, 1, false, 2), List.of("a", "b"));

        assertThat(result.ending()).isEqualTo(Ending.COUNT_REACHED);
    }

    @Test
    void aCountBeyondTheLinesStopsAtTheEndWithoutLoop() {
        MockProducer<String, String> producer = producer();

        Result result = replay(producer, settings(0, 1, false, 100), List.of("a", "b"));

        assertThat(producer.history()).hasSize(2);
        assertThat(result.ending()).isEqualTo(Ending.END_OF_LINES);
    }

    @Test
    void sendsAtTheRateAndReportsProgressAtMostOnceASecond() {
        MockProducer<String, String> producer = producer();
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 35; i++) {
            lines.add("line " + i);
        }
        long start = clock.now;

        Result result = replay(producer, settings(10, 2, false, 0), lines);

        // 35 records at 10/s: the first at once, the last 3.4 s later.
        assertThat(clock.now - start).isEqualTo(3_400_000_000L);
        assertThat(reports).extracting(Progress::sent).containsExactly(11L, 21L, 31L);
        assertThat(result.progress().elapsedNanos()).isEqualTo(3_400_000_000L);
        assertThat(result.progress().acknowledgedPerSecond()).isCloseTo(35 / 3.4, Offset.offset(1e-9));
    }

    @Test
    void stopEndsTheReplayAndStillFlushes() {
        MockProducer<String, String> producer = producer();
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            lines.add("line " + i);
        }
        FeedReplayer replayer = new FeedReplayer(producer, settings(10, 2, true, 0), clock);

        Result result = replayer.replay(lines, p -> replayer.stop());

        assertThat(result.ending()).isEqualTo(Ending.STOPPED);
        assertThat(result.progress().sent()).isEqualTo(11);
        assertThat(producer.flushed()).isTrue();
    }

    @Test
    void theFirstFailedDeliveryEndsTheReplay() {
        MockProducer<String, String> producer =
                new MockProducer<>(true, null, new StringSerializer(), new StringSerializer()) {
                    @Override
                    public synchronized Future<RecordMetadata> send(
                            ProducerRecord<String, String> record, Callback callback) {
                        if (record.value().equals("c")) {
                            callback.onCompletion(null, new IllegalStateException("Topic authorization failed"));
                            return null;
                        }
                        return super.send(record, callback);
                    }
                };

        Result result = replay(producer, settings(0, 2, false, 0), List.of("a", "b", "c", "d", "e"));

        assertThat(result.ending()).isEqualTo(Ending.DELIVERY_FAILED);
        assertThat(result.progress().sent()).isEqualTo(3);
        assertThat(result.progress().failed()).isEqualTo(1);
        assertThat(result.progress().firstError()).hasMessage("Topic authorization failed");
        assertThat(producer.history()).extracting(ProducerRecord::value).containsExactly("a", "b");
    }

    @Test
    void withoutKeysOrSourceRecordsCarryNeither() {
        MockProducer<String, String> producer = producer();

        replay(producer, new Settings(TOPIC, 0, PatientKeys.none(), false, 0, null), List.of("a", "b"));

        assertThat(producer.history()).extracting(ProducerRecord::key).containsOnlyNulls();
        assertThat(producer.history())
                .allSatisfy(r -> assertThat(r.headers().toArray()).isEmpty());
    }

    @Test
    void linesWithoutARecordEndTheReplayEvenWhenLooping() {
        MockProducer<String, String> producer = producer();

        Result result = replay(producer, settings(0, 1, true, 0), List.of("", "# header"));

        assertThat(result.ending()).isEqualTo(Ending.NOTHING_TO_SEND);
        assertThat(producer.history()).isEmpty();
    }

    @Test
    void eachPassReadsAFreshIteratorAndClosesIt() {
        List<Integer> closed = new ArrayList<>();
        Iterable<String> lines = () -> new ClosingIterator(List.of("a", "b").iterator(), closed);

        Result result = replay(producer(), settings(0, 1, true, 5), lines);

        assertThat(result.progress().sent()).isEqualTo(5);
        assertThat(closed).hasSize(3);
    }

    @Test
    void replaysOnlyOnce() {
        FeedReplayer replayer = new FeedReplayer(producer(), settings(0, 1, false, 0), clock);
        replayer.replay(List.of("a"), p -> {});

        assertThatThrownBy(() -> replayer.replay(List.of("a"), p -> {})).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void settingsRefuseNonsense() {
        assertThatThrownBy(() -> settings(-1, 1, false, 0)).hasMessageContaining("rate must be a number >= 0");
        assertThatThrownBy(() -> settings(1, 1, false, -5)).hasMessageContaining("count must be >= 0");
        assertThatThrownBy(() -> new Settings(" ", 1, PatientKeys.none(), false, 0, null))
                .hasMessageContaining("topic");
    }

    private static String source(ProducerRecord<String, String> record) {
        Header header = record.headers().lastHeader(FeedReplayer.SOURCE_HEADER);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    private static final class ClosingIterator implements Iterator<String>, AutoCloseable {
        private final Iterator<String> delegate;
        private final List<Integer> closed;

        ClosingIterator(Iterator<String> delegate, List<Integer> closed) {
            this.delegate = delegate;
            this.closed = closed;
        }

        @Override
        public boolean hasNext() {
            return delegate.hasNext();
        }

        @Override
        public String next() {
            return delegate.next();
        }

        @Override
        public void close() {
            closed.add(1);
        }
    }
}
