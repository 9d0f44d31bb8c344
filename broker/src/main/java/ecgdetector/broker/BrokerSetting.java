package ecgdetector.broker;

import java.util.Locale;

/**
 * The broker settings the streamer's failover figures depend on, each declared once with the value it needs,
 * Kafka's own default and why: what a production cluster must be given, what the in-process broker runs with,
 * what docker-compose.yml sets and what docs/reliability.md lists. {@link Scope#ANY} settings matter on any
 * cluster, a single broker included; {@link Scope#REPLICATED} ones make a cluster of three or more brokers
 * ride out the loss of one.
 */
public enum BrokerSetting {
    TRANSACTION_ABORT_CLEANUP_INTERVAL_MS(
            "transaction.abort.timed.out.transaction.cleanup.interval.ms",
            "1000",
            "10000",
            Scope.ANY,
            "a crashed streamer's open transaction holds up `read_committed` readers of its partitions and the"
                    + " instance taking them over until the coordinator aborts it; it looks this often"),
    DEFAULT_REPLICATION_FACTOR(
            "default.replication.factor",
            "3",
            "1",
            Scope.REPLICATED,
            "every topic the streamer and the trainer create, Kafka Streams' changelogs included, survives a"
                    + " broker"),
    MIN_INSYNC_REPLICAS(
            "min.insync.replicas",
            "2",
            "1",
            Scope.REPLICATED,
            "an acknowledged (`acks=all`) window, alert or release is on two brokers before anyone reads it"),
    OFFSETS_TOPIC_REPLICATION_FACTOR(
            "offsets.topic.replication.factor",
            "3",
            "3",
            Scope.REPLICATED,
            "the group coordinator (committed input offsets) survives a broker"),
    TRANSACTION_STATE_LOG_REPLICATION_FACTOR(
            "transaction.state.log.replication.factor",
            "3",
            "3",
            Scope.REPLICATED,
            "the transaction coordinator survives a broker"),
    TRANSACTION_STATE_LOG_MIN_ISR(
            "transaction.state.log.min.isr", "2", "2", Scope.REPLICATED, "a transaction's state is on two brokers"),
    UNCLEAN_LEADER_ELECTION_ENABLE(
            "unclean.leader.election.enable",
            "false",
            "false",
            Scope.REPLICATED,
            "a replica that missed acknowledged records never becomes leader: no window lost, no alert undone"),
    BROKER_SESSION_TIMEOUT_MS(
            "broker.session.timeout.ms",
            "4000",
            "9000",
            Scope.REPLICATED,
            "a broker that died is fenced this long after its last heartbeat; only then do its partitions get new"
                    + " leaders and leave the other replicas' in-sync sets, so every client waits this long"),
    BROKER_HEARTBEAT_INTERVAL_MS(
            "broker.heartbeat.interval.ms",
            "1000",
            "2000",
            Scope.REPLICATED,
            "a live broker renews its session this often, well within `broker.session.timeout.ms`");

    /** Where a setting matters. */
    public enum Scope {
        /** Any cluster, a single broker included. */
        ANY,
        /** A cluster of three or more brokers, replicating everything. */
        REPLICATED
    }

    private final String key;
    private final String value;
    private final String kafkaDefault;
    private final Scope scope;
    private final String why;

    BrokerSetting(String key, String value, String kafkaDefault, Scope scope, String why) {
        this.key = key;
        this.value = value;
        this.kafkaDefault = kafkaDefault;
        this.scope = scope;
        this.why = why;
    }

    public String key() {
        return key;
    }

    public String value() {
        return value;
    }

    public String kafkaDefault() {
        return kafkaDefault;
    }

    public Scope scope() {
        return scope;
    }

    public String why() {
        return why;
    }

    /** The variable the official {@code apache/kafka} image reads it from: {@code KAFKA_MIN_INSYNC_REPLICAS}. */
    public String imageEnvName() {
        return "KAFKA_" + key.toUpperCase(Locale.ROOT).replace('.', '_');
    }
}
