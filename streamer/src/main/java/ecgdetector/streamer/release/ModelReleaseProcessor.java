package ecgdetector.streamer.release;

import ecgdetector.model.input.UntrustedText;
import ecgdetector.model.release.ReleaseRecord;
import ecgdetector.schemas.ReleaseKey;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The global processor of {@code ecg.models}: every instance of the streamer reads every release. Records of the
 * served model name ({@code modelName/version} keys, and records keyed with the plain name, which are format 1
 * releases or junk) are offered to the {@link ModelRegistry}, which verifies, loads and swaps them in on this (the
 * global) thread, so loading never stalls a stream thread.
 *
 * <p>Nothing of a release is kept locally: the global store this processor belongs to (Kafka Streams gives every
 * global processor one) is in memory and stays empty, so no checkpoint exists and every start reads the models
 * topic from its beginning (Kafka Streams 4.3 passes those records through this processor, KAFKA-7663, between
 * {@link ModelRegistry#replayStarted()} and {@link ModelRegistry#replayEnded()}). The topic is the only source of
 * the serving release: one key per release keeps every accepted one through compaction, and a copy from another
 * cluster or an earlier incarnation of the topic cannot be served, nor can a checkpoint lie past a new topic's end.
 */
public final class ModelReleaseProcessor implements Processor<String, byte[], Void, Void> {

    private static final Logger log = LoggerFactory.getLogger(ModelReleaseProcessor.class);

    private final ModelRegistry registry;
    private ProcessorContext<Void, Void> context;

    public ModelReleaseProcessor(ModelRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        this.context = context;
    }

    @Override
    public void process(Record<String, byte[]> record) {
        String origin = context.recordMetadata()
                .map(m -> m.topic() + "/" + m.partition() + "/" + m.offset())
                .orElse("the models topic");
        String key = record.key();
        if (!registry.modelName().equals(ReleaseKey.modelNameOf(key))) {
            log.debug(
                    "Ignoring the record keyed '{}' at {}: this streamer serves '{}'",
                    UntrustedText.of(key),
                    origin,
                    registry.modelName());
            return;
        }
        if (record.value() == null) {
            log.warn(
                    "Ignoring a tombstone for {} at {}: the serving model stays; to replace it, publish a release",
                    UntrustedText.of(key),
                    origin);
            return;
        }
        registry.offer(new ReleaseRecord(key, record.value(), record.headers()), origin);
    }
}
