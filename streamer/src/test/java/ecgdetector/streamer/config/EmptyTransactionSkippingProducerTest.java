package ecgdetector.streamer.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class EmptyTransactionSkippingProducerTest {

    private static final TopicPartition IN = new TopicPartition("in", 0);
    private static final ConsumerGroupMetadata GEN_1 =
            new ConsumerGroupMetadata("app", 1, "member-a", Optional.empty());

    private final MockProducer<byte[], byte[]> mock =
            new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
    private final java.util.concurrent.atomic.AtomicLong nanos = new java.util.concurrent.atomic.AtomicLong();
    private final EmptyTransactionSkippingProducer producer = new EmptyTransactionSkippingProducer(mock, nanos::get);

    @BeforeEach
    void firstCommit() {
        producer.initTransactions();
        commit(offsets(10), GEN_1, true);
    }

    private static Map<TopicPartition, OffsetAndMetadata> offsets(long next) {
        return Map.of(IN, new OffsetAndMetadata(next, "meta"));
    }

    private void commit(Map<TopicPartition, OffsetAndMetadata> offsets, ConsumerGroupMetadata group, boolean send) {
        producer.beginTransaction();
        if (send) {
            producer.send(new ProducerRecord<>("out", new byte[] {1}));
        }
        producer.sendOffsetsToTransaction(offsets, group);
        producer.commitTransaction();
    }

    private int offsetsSent() {
        return mock.consumerGroupOffsetsHistory().size();
    }

    @Test
    void theSameOffsetsWithNothingSentAreNotSentAgain() {
        commit(offsets(10), GEN_1, false);
        commit(offsets(10), GEN_1, false);

        assertThat(offsetsSent()).isEqualTo(1);
        assertThat(producer.skipped()).isEqualTo(2);
        assertThat(mock.transactionCommitted()).isTrue();
    }

    @Test
    void anIdleInstanceStillSendsItsOffsetsOnceARefreshIntervalHasPassed() {
        commit(offsets(10), GEN_1, false);
        nanos.addAndGet(EmptyTransactionSkippingProducer.REFRESH.toNanos());
        commit(offsets(10), GEN_1, false);
        commit(offsets(10), GEN_1, false);

        assertThat(offsetsSent())
                .as("the first, and once the refresh interval passed")
                .isEqualTo(2);
        assertThat(producer.skipped()).isEqualTo(2);
    }

    @Test
    void newOffsetsARecordSentOrANewGenerationAreSent() {
        commit(offsets(11), GEN_1, false);
        commit(offsets(11), GEN_1, true);
        commit(offsets(11), new ConsumerGroupMetadata("app", 2, "member-a", Optional.empty()), false);
        commit(offsets(11), new ConsumerGroupMetadata("app", 2, "member-b", Optional.empty()), false);

        assertThat(offsetsSent()).isEqualTo(5);
        assertThat(producer.skipped()).isZero();
    }

    @Test
    void afterAnAbortTheOffsetsAreSentAgain() {
        producer.beginTransaction();
        producer.abortTransaction();
        commit(offsets(10), GEN_1, false);

        assertThat(offsetsSent()).isEqualTo(2);
    }
}
