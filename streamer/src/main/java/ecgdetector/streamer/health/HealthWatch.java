package ecgdetector.streamer.health;

import ecgdetector.streamer.ops.InputTopicId;
import ecgdetector.streamer.ops.StreamerMetrics;
import ecgdetector.streamer.ops.TaskBuffers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.ListStreamsGroupOffsetsSpec;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.streams.TaskMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Looks at the cluster every {@link #INTERVAL} on behalf of readiness: whether each active task makes committed
 * progress ({@link TaskProgress}), whether the output topics can be written ({@link OutputTopics}), and the input
 * topic's id ({@link InputTopicId}). It keeps the latest findings for {@code /health/ready}, which never waits on
 * Kafka, logs each problem when it appears and when it clears, and sets {@code ecg_tasks_stalled} and
 * {@code ecg_output_topics_unwritable}. A sample the cluster does not answer changes nothing, except that the
 * committed offsets do not move: a cluster away for the timeout shows as stalled tasks too.
 */
public final class HealthWatch implements AutoCloseable {

    public static final Duration INTERVAL = Duration.ofSeconds(2);

    private static final Logger log = LoggerFactory.getLogger(HealthWatch.class);

    /**
     * What to watch.
     *
     * @param groupId         the application id, whose committed offsets say what the tasks committed
     * @param streamsProtocol whether the group uses Kafka's streams rebalance protocol (its offsets are read so)
     * @param inputTopic      the input topic
     * @param outputs         the topics the streamer writes to
     * @param activeTasks     the active tasks of this instance, as Kafka Streams lists them
     */
    public record Watched(
            String groupId,
            boolean streamsProtocol,
            String inputTopic,
            List<String> outputs,
            Supplier<Collection<TaskMetadata>> activeTasks) {}

    private final Admin admin;
    private final Watched watched;
    private final TaskProgress progress;
    private final TaskBuffers buffers;
    private final InputTopicId inputTopicId;
    private final StreamerMetrics metrics;
    private final ScheduledExecutorService executor;
    private volatile Map<String, String> stalled = Map.of();
    private volatile Map<String, String> unwritable = Map.of();

    private HealthWatch(
            Admin admin,
            Watched watched,
            TaskProgress progress,
            TaskBuffers buffers,
            InputTopicId inputTopicId,
            StreamerMetrics metrics) {
        this.admin = admin;
        this.watched = watched;
        this.progress = progress;
        this.buffers = buffers;
        this.inputTopicId = inputTopicId;
        this.metrics = metrics;
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "ecg-health-watch");
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts watching with an admin client of {@code adminConfig} (security settings included). */
    public static HealthWatch start(
            Map<String, Object> adminConfig,
            Watched watched,
            TaskProgress progress,
            TaskBuffers buffers,
            InputTopicId inputTopicId,
            StreamerMetrics metrics) {
        Map<String, Object> config = new HashMap<>(adminConfig);
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) INTERVAL.toMillis());
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) INTERVAL.toMillis() * 2);
        HealthWatch watch = new HealthWatch(Admin.create(config), watched, progress, buffers, inputTopicId, metrics);
        watch.executor.scheduleWithFixedDelay(watch::sample, 0, INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        return watch;
    }

    /** The latest findings: one sentence per stalled task and per output topic that cannot be written. */
    public List<String> problems() {
        List<String> out = new ArrayList<>(unwritable.values());
        out.addAll(stalled.values());
        return out;
    }

    private void sample() {
        try {
            inputTopicId.refresh();
            sampleOutputs();
            sampleTasks(System.currentTimeMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | ExecutionException | TimeoutException e) {
            log.debug("Health sample failed", e);
        }
    }

    private void sampleOutputs() throws InterruptedException, ExecutionException, TimeoutException {
        Map<String, TopicDescription> described = new HashMap<>();
        for (Map.Entry<String, KafkaFuture<TopicDescription>> e :
                admin.describeTopics(watched.outputs()).topicNameValues().entrySet()) {
            try {
                described.put(e.getKey(), e.getValue().get(INTERVAL.toMillis(), TimeUnit.MILLISECONDS));
            } catch (ExecutionException missing) {
                if (!(missing.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw missing;
                }
            }
        }
        Map<String, Integer> minInSync = new HashMap<>();
        Map<ConfigResource, Config> configs = admin.describeConfigs(described.keySet().stream()
                        .map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t))
                        .toList())
                .all()
                .get(INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        configs.forEach((resource, config) -> {
            ConfigEntry e = config.get(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG);
            if (e != null && e.value() != null) {
                minInSync.put(resource.name(), Integer.parseInt(e.value()));
            }
        });
        Map<String, String> now = OutputTopics.problems(watched.outputs(), described, minInSync);
        logChanges("Output topic", unwritable, now);
        unwritable = now;
        metrics.unwritableOutputs(now.size());
    }

    private void sampleTasks(long now) throws InterruptedException, ExecutionException, TimeoutException {
        Collection<TaskMetadata> tasks = watched.activeTasks().get();
        List<TopicPartition> inputs = tasks.stream()
                .flatMap(t -> t.topicPartitions().stream())
                .filter(p -> p.topic().equals(watched.inputTopic()))
                .toList();
        Map<TopicPartition, Long> committed = inputs.isEmpty()
                ? Map.of()
                : committed(admin, watched.groupId(), watched.streamsProtocol(), inputs, INTERVAL);
        Map<TopicPartition, Long> end =
                inputs.isEmpty() ? Map.of() : offsets(admin, inputs, OffsetSpec.latest(), INTERVAL);
        Map<TopicPartition, Long> start =
                inputs.isEmpty() ? Map.of() : offsets(admin, inputs, OffsetSpec.earliest(), INTERVAL);
        Map<String, TaskBuffers.Snapshot> held =
                buffers.snapshot().stream().collect(Collectors.toMap(TaskBuffers.Snapshot::task, s -> s, (a, b) -> a));
        List<TaskProgress.Sample> samples = new ArrayList<>();
        for (TaskMetadata t : tasks) {
            Set<TopicPartition> mine = t.topicPartitions().stream()
                    .filter(p -> p.topic().equals(watched.inputTopic()))
                    .collect(Collectors.toSet());
            TaskBuffers.Snapshot b = held.get(t.taskId().toString());
            samples.add(new TaskProgress.Sample(
                    t.taskId().toString(),
                    mine,
                    committed,
                    end,
                    start,
                    b == null ? 0 : b.windows(),
                    b == null ? Long.MAX_VALUE : b.waitingSince()));
        }
        Map<String, String> found = progress.update(now, samples);
        logChanges("Task", stalled, found);
        stalled = found;
        metrics.stalledTasks(found.size());
    }

    /**
     * Before the streamer starts: the group's committed offsets on the input topic that lie below the log's start,
     * records that expired while no streamer ran. A cluster that does not answer in time is let be: the consumer
     * reports the same loss once it meets it ({@link LossAwareConsumer}).
     */
    public static void checkInputBeforeStart(
            Admin admin,
            String groupId,
            boolean streamsProtocol,
            String inputTopic,
            InputLoss losses,
            Duration timeout) {
        try {
            List<TopicPartition> partitions = admin
                    .describeTopics(List.of(inputTopic))
                    .allTopicNames()
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS)
                    .get(inputTopic)
                    .partitions()
                    .stream()
                    .map(p -> new TopicPartition(inputTopic, p.partition()))
                    .toList();
            Map<TopicPartition, Long> committed = committed(admin, groupId, streamsProtocol, partitions, timeout);
            if (!committed.isEmpty()) {
                losses.checkCommitted(committed, offsets(admin, partitions, OffsetSpec.earliest(), timeout));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | ExecutionException | TimeoutException e) {
            log.debug("Cannot compare the committed input offsets with the log before the start", e);
        }
    }

    /** The group's committed offsets of {@code partitions}, read as its protocol requires; none for a new group. */
    private static Map<TopicPartition, Long> committed(
            Admin admin, String groupId, boolean streamsProtocol, List<TopicPartition> partitions, Duration timeout)
            throws InterruptedException, ExecutionException, TimeoutException {
        Map<TopicPartition, OffsetAndMetadata> offsets;
        if (streamsProtocol) {
            offsets = admin.listStreamsGroupOffsets(
                            Map.of(groupId, new ListStreamsGroupOffsetsSpec().topicPartitions(partitions)))
                    .partitionsToOffsetAndMetadata(groupId)
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } else {
            offsets = admin.listConsumerGroupOffsets(groupId)
                    .partitionsToOffsetAndMetadata()
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
        Map<TopicPartition, Long> out = new HashMap<>();
        offsets.forEach((p, o) -> {
            if (o != null && partitions.contains(p)) {
                out.put(p, o.offset());
            }
        });
        return out;
    }

    /** Offsets as a read_committed reader sees them: the latest is the last stable offset. */
    private static Map<TopicPartition, Long> offsets(
            Admin admin, List<TopicPartition> partitions, OffsetSpec spec, Duration timeout)
            throws InterruptedException, ExecutionException, TimeoutException {
        Map<TopicPartition, OffsetSpec> request = new LinkedHashMap<>();
        partitions.forEach(p -> request.put(p, spec));
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> found = admin.listOffsets(
                        request, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED))
                .all()
                .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        Map<TopicPartition, Long> out = new HashMap<>();
        found.forEach((p, info) -> out.put(p, info.offset()));
        return out;
    }

    private static void logChanges(String what, Map<String, String> before, Map<String, String> now) {
        now.forEach((key, problem) -> {
            if (!before.containsKey(key)) {
                log.warn("{} {}: {}; /health/ready answers 503 until it clears", what, key, problem);
            }
        });
        before.keySet().forEach(key -> {
            if (!now.containsKey(key)) {
                log.info("{} {} is fine again", what, key);
            }
        });
    }

    @Override
    public void close() {
        executor.shutdownNow();
        try {
            executor.awaitTermination(INTERVAL.toMillis() * 3, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        admin.close(Duration.ofSeconds(1));
    }
}
