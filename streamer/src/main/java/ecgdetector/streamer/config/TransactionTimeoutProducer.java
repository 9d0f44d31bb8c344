package ecgdetector.streamer.config;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ProducerFencedException;

/**
 * Kafka Streams' producer, given up once its transaction has been open for {@code transaction.timeout.ms}.
 *
 * <p>The broker aborts a transaction open longer than that and bumps the producer's epoch, so the producer can
 * never commit it; the producer learns so from the broker's next answer. A broker that throttles the producer (a
 * client quota) sends that answer only when the throttle it imposed is over: the throttle is as long as it takes
 * the quota to pay for what the producer sent (about bytes / quota, minutes for a burst under a small quota), and
 * it runs its full length on that connection even once the quota is lifted. Meanwhile the stream thread waits in
 * {@code sendOffsetsToTransaction} or {@code commitTransaction} for {@code max.block.ms}; Kafka Streams takes a
 * timeout there for a corrupted task, keeps the producer and tries the same commit again, so the thread's partitions
 * stayed unscored for the whole throttle. A broker that does not answer at all holds it the same way.
 *
 * <p>So the transaction is given up at its deadline: its timer here, or the first call that fails or is made past
 * it (the streamer sets {@code max.block.ms} to the transaction timeout, {@link KafkaDefault#PRODUCER_MAX_BLOCK_MS},
 * so a call waiting on the broker ends by then). The producer is closed at once ({@code close(0)}, on another
 * thread: its I/O thread may wait out the throttle first), which also ends a {@code flush} waiting on batches, and
 * from then on this producer answers as the broker would: {@link ProducerFencedException} (for a send, as the cause
 * of a {@link KafkaException}, and to the callbacks of sends that fail). Kafka Streams takes that for a task
 * migration, its own path for a fenced producer: it closes the thread's tasks dirty, makes a new producer (a new
 * connection, which no throttle holds back; its {@code initTransactions} fences this one and aborts the open
 * transaction if the broker has not yet), rejoins the group and goes on from the last commit. Nothing is lost or
 * written twice: what was committed stands, the rest is redone, and a commit the broker completed without being
 * heard is in the committed offsets the tasks start again from. The deadline runs from {@code beginTransaction},
 * which comes before the broker's clock for the transaction starts.
 *
 * <p>Used by one stream thread, as Kafka Streams uses its producers; the timer fires on the thread of
 * {@link TransactionDeadlines}.
 */
public final class TransactionTimeoutProducer extends ForwardingProducer {

    private final Duration timeout;
    private final String client;
    private final TransactionDeadlines deadlines;
    /** The open transaction's number, 0 while none is open. */
    private long open;

    private long opened;
    private long openedAt;
    private Runnable cancelDeadline = () -> {};
    private boolean closed;
    private volatile boolean expired;

    TransactionTimeoutProducer(
            Producer<byte[], byte[]> producer, Duration timeout, String client, TransactionDeadlines deadlines) {
        super(producer);
        this.timeout = timeout;
        this.client = client;
        this.deadlines = deadlines;
    }

    /** Whether this producer gave its transaction up at the deadline (and was closed). */
    public boolean expired() {
        return expired;
    }

    @Override
    public void initTransactions() {
        throwIfExpired();
        producer.initTransactions();
    }

    @Override
    public void beginTransaction() {
        throwIfExpired();
        try {
            producer.beginTransaction();
        } catch (RuntimeException e) {
            throw translated(e);
        }
        synchronized (this) {
            long transaction = ++opened;
            open = transaction;
            openedAt = deadlines.nanoTime();
            cancelDeadline = deadlines.schedule(() -> expire(transaction), timeout);
        }
    }

    /** Gives transaction number {@code transaction} up, if it is still open: its deadline came. */
    private void expire(long transaction) {
        synchronized (this) {
            if (open != transaction || closed) {
                return;
            }
            expired = true;
            closed = true;
            open = 0;
            cancelDeadline.run();
            cancelDeadline = () -> {};
        }
        deadlines.expired(client, timeout);
        deadlines.closeLater(producer, client);
    }

    /**
     * Whether the transaction is given up: it was, or it is open past its deadline (whose timer may not have run
     * yet: a call that waited {@code max.block.ms}, as long as the transaction timeout, ends past it), and is now.
     */
    private boolean givenUp() {
        if (expired) {
            return true;
        }
        long transaction;
        synchronized (this) {
            if (open == 0 || deadlines.nanoTime() - openedAt < timeout.toNanos()) {
                return false;
            }
            transaction = open;
        }
        expire(transaction);
        return expired;
    }

    private synchronized void ended() {
        open = 0;
        cancelDeadline.run();
        cancelDeadline = () -> {};
    }

    @Override
    public void sendOffsetsToTransaction(Map<TopicPartition, OffsetAndMetadata> offsets, ConsumerGroupMetadata group) {
        throwIfExpired();
        try {
            producer.sendOffsetsToTransaction(offsets, group);
        } catch (RuntimeException e) {
            throw translated(e);
        }
    }

    @Override
    public void commitTransaction() {
        throwIfExpired();
        try {
            producer.commitTransaction();
        } catch (RuntimeException e) {
            // Not ended: Kafka Streams may try the same commit again, and the deadline still holds for it.
            throw translated(e);
        }
        ended();
    }

    @Override
    public void abortTransaction() {
        throwIfExpired();
        try {
            producer.abortTransaction();
        } catch (RuntimeException e) {
            // An abort that timed out is still pending, and the next transaction cannot begin before it is done.
            throw translated(e);
        }
        ended();
    }

    @Override
    public Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record) {
        return send(record, null);
    }

    @Override
    public Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record, Callback callback) {
        if (givenUp()) {
            throw fencedSend();
        }
        Callback answer = (metadata, e) -> {
            if (callback != null) {
                callback.onCompletion(metadata, e != null && givenUp() ? fenced() : e);
            }
        };
        try {
            return producer.send(record, answer);
        } catch (RuntimeException e) {
            if (givenUp()) {
                throw fencedSend();
            }
            throw e;
        }
    }

    /** Returns once every record sent has its answer: given up, the failed sends' callbacks say fenced. */
    @Override
    public void flush() {
        try {
            producer.flush();
        } catch (RuntimeException e) {
            if (!givenUp()) {
                throw e;
            }
        }
    }

    private void throwIfExpired() {
        if (givenUp()) {
            throw fenced();
        }
    }

    /** What to throw for {@code e}, which the producer threw: fenced once the transaction is given up. */
    private RuntimeException translated(RuntimeException e) {
        return givenUp() ? fenced() : e;
    }

    /** Kafka Streams takes a send's failure for fencing when its cause is. */
    private KafkaException fencedSend() {
        ProducerFencedException fenced = fenced();
        return new KafkaException(fenced.getMessage(), fenced);
    }

    private ProducerFencedException fenced() {
        return new ProducerFencedException("Producer " + client + " gave its transaction up after "
                + timeout.toMillis() + " ms (transaction.timeout.ms) without an answer from the broker, which aborts"
                + " it; a new producer takes over");
    }

    @Override
    public void close() {
        if (closing()) {
            producer.close();
        }
    }

    @Override
    public void close(Duration timeout) {
        if (closing()) {
            producer.close(timeout);
        }
    }

    /** Whether the producer is still to be closed (not given up already); its deadline no longer holds. */
    private synchronized boolean closing() {
        ended();
        if (closed) {
            return false;
        }
        closed = true;
        return true;
    }
}
