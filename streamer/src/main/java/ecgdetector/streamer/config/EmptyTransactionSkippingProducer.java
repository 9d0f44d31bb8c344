package ecgdetector.streamer.config;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Kafka Streams' producer, minus the transactions that would change nothing. Kafka Streams marks a task for commit
 * after every wall-clock punctuation that ran, and under exactly-once commits it in a transaction: the task's input
 * offsets sent again with {@code sendOffsetsToTransaction}, then {@code commitTransaction}. An idle task whose
 * punctuators tick (the alarm stage's, four times a second) thus cost the broker a transaction each time, with the
 * same offsets and no record in it. When nothing was sent in the transaction and the offsets and the group member
 * and generation are those of the last transaction this producer committed, the offsets are not sent again: the
 * producer then has nothing in its transaction, and its commit ends locally without a request. Anything else goes
 * through unchanged; an abort or a failed commit forgets what was committed, so the next offsets are sent.
 * At least every {@link #REFRESH} the offsets are sent all the same, so that an instance idle for days still uses
 * its transactional id with the broker, which forgets an id unused for {@code transactional.id.expiration.ms}
 * (7 days by default) and would otherwise fail its next transaction.
 *
 * <p>Used by one stream thread, as Kafka Streams uses its producers.
 */
public final class EmptyTransactionSkippingProducer extends ForwardingProducer {

    /** The longest time the offsets are not sent again. */
    public static final Duration REFRESH = Duration.ofMinutes(10);

    private final LongSupplier nanoClock;
    private long committedAt;
    private boolean sentInTransaction;
    private Map<TopicPartition, OffsetAndMetadata> sentOffsets;
    private ConsumerGroupMetadata sentFor;
    private Map<TopicPartition, OffsetAndMetadata> committedOffsets;
    private ConsumerGroupMetadata committedFor;
    private long skipped;

    public EmptyTransactionSkippingProducer(Producer<byte[], byte[]> producer) {
        this(producer, System::nanoTime);
    }

    EmptyTransactionSkippingProducer(Producer<byte[], byte[]> producer, LongSupplier nanoClock) {
        super(producer);
        this.nanoClock = nanoClock;
    }

    /** How many times the offsets were not sent again: transactions the broker did not see. */
    public long skipped() {
        return skipped;
    }

    @Override
    public void sendOffsetsToTransaction(Map<TopicPartition, OffsetAndMetadata> offsets, ConsumerGroupMetadata group) {
        if (!sentInTransaction
                && sentOffsets == null
                && offsets.equals(committedOffsets)
                && sameMember(group, committedFor)
                && nanoClock.getAsLong() - committedAt < REFRESH.toNanos()) {
            skipped++;
            return;
        }
        producer.sendOffsetsToTransaction(offsets, group);
        sentOffsets = Map.copyOf(offsets);
        sentFor = group;
    }

    private static boolean sameMember(ConsumerGroupMetadata a, ConsumerGroupMetadata b) {
        return a != null
                && b != null
                && a.groupId().equals(b.groupId())
                && a.generationId() == b.generationId()
                && a.memberId().equals(b.memberId());
    }

    @Override
    public void commitTransaction() {
        try {
            producer.commitTransaction();
        } catch (RuntimeException e) {
            forget();
            throw e;
        }
        if (sentOffsets != null) {
            committedOffsets = sentOffsets;
            committedFor = sentFor;
            committedAt = nanoClock.getAsLong();
        } else if (sentInTransaction) {
            // Records without offsets: what is committed for the input is no longer known here.
            committedOffsets = null;
            committedFor = null;
        }
        endTransaction();
    }

    @Override
    public void abortTransaction() {
        forget();
        producer.abortTransaction();
    }

    private void forget() {
        committedOffsets = null;
        committedFor = null;
        endTransaction();
    }

    private void endTransaction() {
        sentInTransaction = false;
        sentOffsets = null;
        sentFor = null;
    }

    @Override
    public Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record) {
        return send(record, null);
    }

    @Override
    public Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record, Callback callback) {
        sentInTransaction = true;
        return producer.send(record, callback);
    }

    @Override
    public void close(Duration timeout) {
        producer.close(timeout);
    }
}
