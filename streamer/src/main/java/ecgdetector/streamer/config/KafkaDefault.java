package ecgdetector.streamer.config;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The Kafka Streams and client properties the streamer sets unless they are given, each declared once: its key,
 * its value (fixed, or derived from the other settings), and why. {@link StreamerConfig#streamsProperties()}
 * applies them; streamer/README.md's table of them is generated from here. A property given under any of the
 * names it can take (with or without a client prefix) is left as given; given empty, it is left out, and the
 * client's own default applies ({@code group.instance.id=} for dynamic membership, say).
 *
 * <p>The group settings are the ones the failover figures in docs/reliability.md were measured with: the
 * classic group protocol with static membership, short sessions, a standby replica and short transactions.
 */
public enum KafkaDefault {
    APPLICATION_ID(
            StreamsConfig.APPLICATION_ID_CONFIG,
            StreamerConfig.DEFAULT_APPLICATION_ID,
            "the consumer group, and the prefix of the internal topics and transactional ids; every instance of one"
                    + " application shares it (`--application-id`, env `ECG_APPLICATION_ID`)"),
    PROCESSING_GUARANTEE(
            StreamsConfig.PROCESSING_GUARANTEE_CONFIG,
            StreamsConfig.EXACTLY_ONCE_V2,
            "every window scored once and no alert duplicated, across crashes and rebalances"),
    COMMIT_INTERVAL_MS(
            StreamsConfig.COMMIT_INTERVAL_MS_CONFIG,
            String.valueOf(StreamerConfig.DEFAULT_COMMIT_INTERVAL_MS),
            "how often outputs become readable (Kafka Streams' exactly-once default: 100); see below"),
    POLL_MS(
            StreamsConfig.POLL_MS_CONFIG,
            c -> String.valueOf(Math.min(
                    StreamerConfig.STREAMS_DEFAULT_POLL_MS,
                    c.punctuationInterval().toMillis())),
            "a quarter of `ecg.batch.wait.ms`, 1 to 100",
            "a waiting window is flushed on time even when no record arrives; once none has for twice the batch wait"
                    + " plus the commit interval, polls block up to " + IdlePoll.IDLE.toMillis() + " ms, which a record"
                    + " ends at once (`IdlePoll`)"),
    ROCKSDB_CONFIG_SETTER(
            StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG,
            SmallRocksDb.class.getName(),
            "2 MB memtables and one 8 MB block cache for all stores (Kafka Streams' defaults: 16 MB x 3 and"
                    + " 50 MB per store)"),
    PRODUCER_MAX_REQUEST_SIZE(
            StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG),
            String.valueOf(StreamerConfig.DEFAULT_MAX_REQUEST_BYTES),
            "a dead letter is the input record whole: the producer must not refuse what the broker accepted"
                    + " (its 1 MiB default would, and the task would fail on it for ever)",
            ProducerConfig.MAX_REQUEST_SIZE_CONFIG),
    STATE_DIR(
            StreamsConfig.STATE_DIR_CONFIG,
            c -> InstanceName.defaultStateFolder(
                            c.applicationId(), c.instanceName(), System.getenv(), System.getProperty("user.home"))
                    .toString(),
            "`$XDG_DATA_HOME/ecg-detector/state/APPLICATION/NAME` (else `~/.local/share/...`), APPLICATION ="
                    + " `application.id`, NAME = `ecg.instance.name`",
            "the batch buffers and the patients' alarm states, one folder per application and instance"
                    + " (`--state-dir`), so neither two instances nor two applications on one host share one; not the"
                    + " system temp folder, which every run with the same application id would share, across"
                    + " clusters"),
    GROUP_INSTANCE_ID(
            ConsumerConfig.GROUP_INSTANCE_ID_CONFIG,
            c -> c.classicProtocol() ? c.instanceName() : null,
            "`ecg.instance.name` (classic protocol only)",
            "static membership: a restarted instance takes its partitions back at once instead of waiting for its"
                    + " old session to expire; a clean shutdown still leaves the group at once"),
    SESSION_TIMEOUT_MS(
            ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG,
            c -> c.classicProtocol() ? "6000" : null,
            "`6000` (classic protocol only)",
            "how soon a crashed or frozen instance is dropped and its partitions move (Kafka's default: 45000);"
                    + " the brokers' `group.min.session.timeout.ms` (default 6000) must allow it",
            StreamsConfig.mainConsumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG),
            StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG)),
    HEARTBEAT_INTERVAL_MS(
            ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG,
            c -> c.classicProtocol() ? "1500" : null,
            "`1500` (classic protocol only)",
            "the other instances learn of a rebalance within this (Kafka's default: 3000)",
            StreamsConfig.mainConsumerPrefix(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG),
            StreamsConfig.consumerPrefix(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG)),
    NUM_STANDBY_REPLICAS(
            StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG,
            c -> c.classicProtocol() ? "1" : null,
            "`1` (classic protocol only)",
            "another instance keeps each task's batch buffer warm, so a failover does not wait for a restore; with"
                    + " one instance it costs nothing"),
    PRODUCER_TRANSACTION_TIMEOUT_MS(
            StreamsConfig.producerPrefix(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG),
            "5000",
            "a crashed instance's open transaction blocks `read_committed` readers of its partitions until the"
                    + " broker aborts it, this long after it began (Kafka Streams' default: 10000)",
            ProducerConfig.TRANSACTION_TIMEOUT_CONFIG),
    PRODUCER_MAX_BLOCK_MS(
            StreamsConfig.producerPrefix(ProducerConfig.MAX_BLOCK_MS_CONFIG),
            KafkaDefault::transactionTimeout,
            "the producer's `transaction.timeout.ms` (5000 unless given)",
            "a stream thread waits on the broker (a commit, a send's metadata) no longer than a transaction may live,"
                    + " past which the broker aborts it anyway; the streamer then gives the transaction up and goes on"
                    + " with a new producer (`TransactionTimeoutProducer`) instead of trying the same commit again for"
                    + " as long as the broker holds the connection back (a quota's throttle: minutes, even after the"
                    + " quota is lifted; Kafka's default: 60000)",
            ProducerConfig.MAX_BLOCK_MS_CONFIG),
    STATE_CLEANUP_DELAY_MS(
            StreamsConfig.STATE_CLEANUP_DELAY_MS_CONFIG,
            "60000",
            "the state of a task that moved away is dropped after this (default 600000), well within the time the"
                    + " buffer's changelog keeps tombstones, so it is never restored from a stale copy");

    /** The producer's transaction timeout as given, else the streamer's; null if given empty (the client's own). */
    private static String transactionTimeout(StreamerConfig config) {
        Map<String, String> kafka = config.kafka();
        String given = kafka.get(PRODUCER_TRANSACTION_TIMEOUT_MS.key);
        for (String name : PRODUCER_TRANSACTION_TIMEOUT_MS.alsoGivenAs) {
            if (given == null) {
                given = kafka.get(name);
            }
        }
        if (given == null) {
            return PRODUCER_TRANSACTION_TIMEOUT_MS.value.apply(config);
        }
        return given.isBlank() ? null : given.trim();
    }

    private final String key;
    private final Function<StreamerConfig, String> value;
    private final String valueText;
    private final String why;
    private final List<String> alsoGivenAs;

    KafkaDefault(String key, String value, String why, String... alsoGivenAs) {
        this(key, c -> value, "`" + value + "`", why, alsoGivenAs);
    }

    KafkaDefault(
            String key, Function<StreamerConfig, String> value, String valueText, String why, String... alsoGivenAs) {
        this.key = key;
        this.value = value;
        this.valueText = valueText;
        this.why = why;
        this.alsoGivenAs = List.of(alsoGivenAs);
    }

    public String key() {
        return key;
    }

    /** The value for people, e.g. {@code `50`} or how it is derived. */
    public String valueText() {
        return valueText;
    }

    public String why() {
        return why;
    }

    /** {@code commit.interval.ms} -> {@code KAFKA_COMMIT_INTERVAL_MS}, how the environment gives it. */
    public String envName() {
        return "KAFKA_" + key.toUpperCase(java.util.Locale.ROOT).replace('.', '_');
    }

    /** The value the streamer sets for {@code config}; empty if the Kafka properties give it, or it does not apply. */
    Optional<String> valueFor(StreamerConfig config, Map<String, String> kafka) {
        if (kafka.containsKey(key) || alsoGivenAs.stream().anyMatch(kafka::containsKey)) {
            return Optional.empty();
        }
        return Optional.ofNullable(value.apply(config));
    }
}
