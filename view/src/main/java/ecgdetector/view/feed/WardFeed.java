package ecgdetector.view.feed;

import ecgdetector.model.release.InvalidReleaseException;
import ecgdetector.model.release.ReleaseRecord;
import ecgdetector.schemas.Decoded;
import ecgdetector.schemas.HeartbeatWindow;
import ecgdetector.schemas.Rejection;
import ecgdetector.schemas.Score;
import ecgdetector.streamer.decode.HeartbeatDecoder;
import ecgdetector.view.beats.ReleaseShelf;
import ecgdetector.view.ward.BeatPoint;
import ecgdetector.view.ward.WardState;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The view's one reader of Kafka: a {@code read_committed} consumer of every partition of the topics the view
 * shows (no group: every view reads everything, and commits nothing), on a thread of its own. Scores, alerts and
 * alarms go to the {@link WardState}; releases to the {@link ReleaseShelf}; input records wait in a small cache
 * until the score of their window arrives, and give it its samples. It starts a little in the past
 * ({@code lookback}), so a page opened now shows the last minutes, and reads the models topic from its
 * beginning. A record it cannot read is skipped and counted; nothing it reads can stop it.
 */
public final class WardFeed implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(WardFeed.class);
    private static final Duration POLL = Duration.ofMillis(100);
    private static final Duration METADATA_TIMEOUT = Duration.ofSeconds(10);
    private static final long TOPIC_CHECK_MS = 30_000;
    private static final long ERROR_BACKOFF_MS = 2_000;
    private static final int HEARTBEATS_KEPT_PER_PARTITION = 4096;
    private static final int PENDING_KEPT = 20_000;
    /** The decoder's own bounds are the streamer's business: a window it scored is decoded again, whatever size. */
    private static final double ANY_MAGNITUDE = Float.MAX_VALUE;

    private final Properties client;
    private final FeedTopics topics;
    private final Duration lookback;
    private final WardState ward;
    private final ReleaseShelf releases;
    private final Map<String, TopicCounts> counts = new LinkedHashMap<>();
    private final Map<String, String> roleOf = new HashMap<>();
    private final HeartbeatCache heartbeats = new HeartbeatCache(HEARTBEATS_KEPT_PER_PARTITION);
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    private final Map<Integer, HeartbeatDecoder> decoders = new HashMap<>();
    private final Set<String> assignedTopics = new HashSet<>();
    private final Thread thread;
    private volatile KafkaConsumer<byte[], byte[]> consumer;
    private volatile boolean running = true;
    private volatile String error;

    /** A scored window waiting for its input record. */
    private record Pending(String patientKey, BeatPoint beat) {}

    public WardFeed(Properties client, FeedTopics topics, Duration lookback, WardState ward, ReleaseShelf releases) {
        this.client = client;
        this.topics = topics;
        this.lookback = lookback;
        this.ward = ward;
        this.releases = releases;
        role("scores", topics.scores());
        role("alerts", topics.alerts());
        role("alarms", topics.alarms());
        role("heartbeats", topics.heartbeats());
        role("models", topics.models());
        this.thread = new Thread(this::run, "ward-feed");
        thread.setDaemon(true);
    }

    private void role(String role, String topic) {
        if (topic != null) {
            counts.put(role, new TopicCounts(role, topic));
            roleOf.put(topic, role);
        }
    }

    public WardFeed start() {
        thread.start();
        return this;
    }

    /** Per topic read: what was read and skipped, or why it is not read. */
    public List<TopicCounts> counts() {
        return List.copyOf(counts.values());
    }

    /** The last error reading Kafka, until records flow again; null if none. */
    public String error() {
        return error;
    }

    private void run() {
        Properties props = new Properties();
        props.putAll(client);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        props.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "ecg-view");
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(props)) {
            consumer = c;
            long nextTopicCheck = 0;
            while (running) {
                try {
                    if (System.currentTimeMillis() >= nextTopicCheck) {
                        assignTopicsThatExist(c);
                        nextTopicCheck = System.currentTimeMillis() + TOPIC_CHECK_MS;
                    }
                    handle(c.poll(POLL));
                    error = null;
                } catch (WakeupException e) {
                    return;
                } catch (KafkaException e) {
                    error = e.getClass().getSimpleName() + ": " + e.getMessage();
                    log.warn("Ward view: reading Kafka failed, trying again: {}", error);
                    nextTopicCheck = 0;
                    pause();
                }
            }
        } catch (RuntimeException e) {
            error = "the reader stopped: " + e;
            log.error("Ward view: the reader of Kafka stopped", e);
        }
    }

    /**
     * Assigns every partition of the topics that exist now and were not read yet, each from its start point, and
     * any partition added since to a topic it reads.
     */
    private void assignTopicsThatExist(KafkaConsumer<byte[], byte[]> c) {
        Map<String, List<PartitionInfo>> existing = c.listTopics(METADATA_TIMEOUT);
        Set<TopicPartition> assigned = c.assignment();
        List<TopicPartition> added = new ArrayList<>();
        Set<TopicPartition> fromStart = new HashSet<>();
        for (TopicCounts t : counts.values()) {
            List<PartitionInfo> partitions = existing.get(t.topic());
            if (assignedTopics.contains(t.topic())) {
                // Everything in a partition that appeared while the view read its topic is new to the view.
                for (PartitionInfo p : partitions == null ? List.<PartitionInfo>of() : partitions) {
                    TopicPartition tp = new TopicPartition(p.topic(), p.partition());
                    if (!assigned.contains(tp)) {
                        added.add(tp);
                        fromStart.add(tp);
                    }
                }
                continue;
            }
            if (partitions == null || partitions.isEmpty()) {
                t.absent("topic " + t.topic() + " does not exist (yet); looked for every " + TOPIC_CHECK_MS / 1000
                        + " s");
                continue;
            }
            for (PartitionInfo p : partitions) {
                TopicPartition tp = new TopicPartition(p.topic(), p.partition());
                added.add(tp);
                if (p.topic().equals(topics.models())) {
                    fromStart.add(tp);
                }
            }
            assignedTopics.add(t.topic());
            t.reading();
        }
        if (added.isEmpty()) {
            return;
        }
        List<TopicPartition> all = new ArrayList<>(assigned);
        all.addAll(added);
        c.assign(all);
        long since = System.currentTimeMillis() - lookback.toMillis();
        StartPoints.seek(c, added, fromStart, since, METADATA_TIMEOUT).forEach((p, position) -> {
            if (p.topic().equals(topics.heartbeats())) {
                heartbeats.positioned(p.partition(), position);
            }
        });
    }

    private void handle(ConsumerRecords<byte[], byte[]> records) {
        long now = System.currentTimeMillis();
        // Input records first, so a score read in the same poll as its window finds it.
        for (ConsumerRecord<byte[], byte[]> r : records) {
            if ("heartbeats".equals(roleOf.get(r.topic()))) {
                counts.get("heartbeats").record();
                heartbeats.put(
                        r.partition(), r.offset(), new HeartbeatCache.Heartbeat(r.key(), r.value(), r.timestamp()));
            }
        }
        for (ConsumerRecord<byte[], byte[]> r : records) {
            String role = roleOf.get(r.topic());
            if (role != null && !"heartbeats".equals(role)) {
                counts.get(role).record();
                if (!dispatch(role, r, now)) {
                    counts.get(role).skip();
                }
            }
        }
        resolvePending();
    }

    /** Hands one record to where it goes; false if it does not read. */
    private boolean dispatch(String role, ConsumerRecord<byte[], byte[]> r, long now) {
        if (r.value() == null) {
            // A tombstone: nothing to show, nothing wrong.
            return true;
        }
        switch (role) {
            case "scores" -> {
                var score = FeedReader.score(r.value());
                score.ifPresent(s -> scored(s, now));
                return score.isPresent();
            }
            case "alerts" -> {
                var alert = FeedReader.alert(r.value());
                alert.ifPresent(a -> ward.alert(a, now));
                return alert.isPresent();
            }
            case "alarms" -> {
                var alarm = FeedReader.alarm(r.key(), r.value());
                alarm.ifPresent(a -> ward.alarm(a, now));
                return alarm.isPresent();
            }
            case "models" -> {
                try {
                    String key = r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8);
                    releases.offer(new ReleaseRecord(key, r.value(), r.headers()));
                    return true;
                } catch (InvalidReleaseException e) {
                    log.warn(
                            "Ward view: {}/{}/{} is not a release it trusts: {}",
                            r.topic(),
                            r.partition(),
                            r.offset(),
                            e.getMessage());
                    return false;
                }
            }
            default -> {
                return false;
            }
        }
    }

    private void scored(Score s, long now) {
        BeatPoint beat = ward.score(s, now);
        String key = WardState.key(s.patientId());
        if (topics.heartbeats() == null) {
            ward.samplesUnavailable(key, beat.windowId(), "the view does not read the heartbeats topic");
        } else if (!s.source().topic().equals(topics.heartbeats())) {
            ward.samplesUnavailable(
                    key, beat.windowId(), "scored from " + s.source().topic() + ", which the view does not read");
        } else {
            pending.addLast(new Pending(key, beat));
            while (pending.size() > PENDING_KEPT) {
                Pending dropped = pending.removeFirst();
                ward.samplesUnavailable(dropped.patientKey(), dropped.beat().windowId(), "too many windows waiting");
            }
        }
    }

    /** Gives every waiting window whose input record was read its samples, or says it will have none. */
    private void resolvePending() {
        for (Iterator<Pending> it = pending.iterator(); it.hasNext(); ) {
            Pending p = it.next();
            int partition = p.beat().source().partition();
            long offset = p.beat().source().offset();
            switch (heartbeats.lookup(partition, offset)) {
                case FOUND -> {
                    it.remove();
                    samples(p, heartbeats.get(partition, offset));
                }
                case GONE -> {
                    it.remove();
                    ward.samplesUnavailable(
                            p.patientKey(),
                            p.beat().windowId(),
                            "its input record was not read (from before the view started, or no longer kept)");
                }
                case NOT_READ_YET -> {
                    // Still to come: the input is read alongside the scores.
                }
            }
        }
    }

    private void samples(Pending p, HeartbeatCache.Heartbeat record) {
        int length = releases.inputLength(p.beat().modelVersion()).orElse(DEFAULT_LENGTH);
        HeartbeatDecoder decoder =
                decoders.computeIfAbsent(length, l -> new HeartbeatDecoder(l, ANY_MAGNITUDE, Integer.MAX_VALUE));
        Decoded decoded = decoder.decode(record.key(), record.value(), record.timestamp());
        if (decoded instanceof HeartbeatWindow w) {
            ward.samples(p.patientKey(), p.beat().windowId(), w.samples());
        } else if (decoded instanceof Rejection r) {
            ward.samplesUnavailable(
                    p.patientKey(), p.beat().windowId(), "its input record does not read as a window: " + r.detail());
        }
    }

    /** The streamer's default window length, for a window whose release the view has not read. */
    private static final int DEFAULT_LENGTH =
            Integer.parseInt(ecgdetector.streamer.config.StreamerConfig.Setting.WINDOW_LENGTH.defaultValue());

    private void pause() {
        try {
            Thread.sleep(ERROR_BACKOFF_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    @Override
    public void close() {
        running = false;
        KafkaConsumer<byte[], byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
