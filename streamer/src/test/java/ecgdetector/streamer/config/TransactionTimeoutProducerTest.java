package ecgdetector.streamer.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TransactionTimeoutProducerTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final Map<TopicPartition, OffsetAndMetadata> OFFSETS =
            Map.of(new TopicPartition("in", 0), new OffsetAndMetadata(10));

    @SuppressWarnings("removal")
    private static final ConsumerGroupMetadata GROUP = new ConsumerGroupMetadata("app", 1, "member", Optional.empty());

    private final MockProducer<byte[], byte[]> mock =
            new MockProducer<>(false, null, new ByteArraySerializer(), new ByteArraySerializer());
    private final AtomicLong nanos = new AtomicLong();
    /** The deadlines scheduled and not cancelled, in order. */
    private final List<Runnable> scheduled = new ArrayList<>();

    private final AtomicInteger expiredCount = new AtomicInteger();
    private final TransactionDeadlines deadlines = new TransactionDeadlines(
            (task, delay) -> {
                assertThat(delay).isEqualTo(TIMEOUT);
                scheduled.add(task);
                return () -> scheduled.remove(task);
            },
            Runnable::run,
            nanos::get,
            expiredCount::incrementAndGet);
    private Producer<byte[], byte[]> producer;

    @BeforeEach
    void watched() {
        producer = deadlines.watch(
                mock,
                Map.of(
                        ProducerConfig.TRANSACTIONAL_ID_CONFIG, "app-1",
                        ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, "5000",
                        ProducerConfig.CLIENT_ID_CONFIG, "app-client-StreamThread-1-producer"));
        producer.initTransactions();
    }

    @Test
    void aTransactionCommittedInTimeHasNoDeadlineLeft() {
        producer.beginTransaction();
        assertThat(scheduled).hasSize(1);
        producer.send(new ProducerRecord<>("out", new byte[] {1}));
        mock.completeNext();
        producer.sendOffsetsToTransaction(OFFSETS, GROUP);
        producer.commitTransaction();

        assertThat(scheduled).isEmpty();
        assertThat(mock.transactionCommitted()).isTrue();
        assertThat(mock.closed()).isFalse();
        assertThat(deadlines.expired()).isZero();
    }

    @Test
    void atItsDeadlineTheProducerIsClosedAndAnswersAsAFencedOne() {
        producer.beginTransaction();
        AtomicReference<Exception> answer = new AtomicReference<>();
        producer.send(new ProducerRecord<>("out", new byte[] {1}), (m, e) -> answer.set(e));

        scheduled.remove(0).run();

        assertThat(mock.closed()).isTrue();
        assertThat(deadlines.expired()).isEqualTo(1);
        assertThat(expiredCount).hasValue(1);
        assertThat(((TransactionTimeoutProducer) producer).expired()).isTrue();
        // A send that fails now (the close failed its batch) is answered as fenced, so Kafka Streams migrates the task.
        mock.errorNext(new KafkaException("Producer is closed forcefully."));
        assertThat(answer.get()).isInstanceOf(ProducerFencedException.class);
        assertThatThrownBy(() -> producer.sendOffsetsToTransaction(OFFSETS, GROUP))
                .isInstanceOf(ProducerFencedException.class)
                .hasMessageContaining("5000 ms (transaction.timeout.ms)");
        assertThatThrownBy(producer::commitTransaction).isInstanceOf(ProducerFencedException.class);
        assertThatThrownBy(producer::abortTransaction).isInstanceOf(ProducerFencedException.class);
        assertThatThrownBy(producer::beginTransaction).isInstanceOf(ProducerFencedException.class);
        assertThatThrownBy(() -> producer.send(new ProducerRecord<>("out", new byte[] {2})))
                .isInstanceOf(KafkaException.class)
                .hasCauseInstanceOf(ProducerFencedException.class);
        producer.flush();
        producer.close();
        assertThat(deadlines.expired()).isEqualTo(1);
    }

    @Test
    void aCallThatFailsPastTheDeadlineIsFencedEvenBeforeItsTimerRan() {
        producer.beginTransaction();
        nanos.addAndGet(TIMEOUT.toNanos());
        mock.sendOffsetsToTransactionException = new TimeoutException("Timeout expired after 5000ms");

        assertThatThrownBy(() -> producer.sendOffsetsToTransaction(OFFSETS, GROUP))
                .isInstanceOf(ProducerFencedException.class);
        assertThat(mock.closed()).isTrue();
        assertThat(scheduled).as("its timer cancelled").isEmpty();
        assertThat(deadlines.expired()).isEqualTo(1);
    }

    @Test
    void aCallMadePastTheDeadlineDoesNotWaitOnTheBroker() {
        producer.beginTransaction();
        nanos.addAndGet(TIMEOUT.toNanos() + 1);

        assertThatThrownBy(producer::commitTransaction).isInstanceOf(ProducerFencedException.class);
        assertThat(mock.transactionCommitted()).isFalse();
        assertThat(mock.closed()).isTrue();
    }

    @Test
    void aFailureBeforeTheDeadlineIsLeftAsItIs() {
        producer.beginTransaction();
        nanos.addAndGet(TIMEOUT.toNanos() - 1);
        mock.commitTransactionException = new TimeoutException("Timeout expired after 4000ms");

        assertThatThrownBy(producer::commitTransaction).isInstanceOf(TimeoutException.class);
        assertThat(mock.closed()).isFalse();
        assertThat(scheduled)
                .as("the commit may be tried again; the deadline holds for it")
                .hasSize(1);
    }

    @Test
    void aDeadlineThatFiresAfterTheCommitChangesNothing() {
        producer.beginTransaction();
        Runnable deadline = scheduled.get(0);
        producer.commitTransaction();
        producer.beginTransaction();

        deadline.run();

        assertThat(mock.closed()).isFalse();
        assertThat(deadlines.expired()).isZero();
        assertThat(scheduled).as("the new transaction's").hasSize(1);
    }

    @Test
    void aProducerClosedByKafkaStreamsIsNotGivenUpLater() {
        producer.beginTransaction();
        Runnable deadline = scheduled.get(0);
        producer.close();

        deadline.run();

        assertThat(deadlines.expired()).isZero();
        assertThat(scheduled).isEmpty();
    }

    @Test
    void aProducerWithoutTransactionsIsNotWatched() {
        assertThat(deadlines.watch(mock, Map.of(ProducerConfig.CLIENT_ID_CONFIG, "x")))
                .isSameAs(mock);
    }
}
