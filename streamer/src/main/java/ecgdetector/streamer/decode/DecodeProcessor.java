package ecgdetector.streamer.decode;

import ecgdetector.model.input.UntrustedText;
import ecgdetector.schemas.DeadLetter;
import ecgdetector.schemas.DeadLetterHeaders;
import ecgdetector.schemas.Decoded;
import ecgdetector.schemas.HeartbeatWindow;
import ecgdetector.schemas.RejectReason;
import ecgdetector.schemas.Rejection;
import ecgdetector.schemas.WindowSource;
import ecgdetector.streamer.window.DeadLettered;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes each input record: a valid window goes on to the batch buffer, anything else goes to the
 * dead-letter sink with its original key, value, timestamp and headers plus {@link DeadLetterHeaders} saying
 * why and where it came from. Both happen inside the task's exactly-once transaction. A bad record never
 * stops the stream and does not affect the windows around it: one too large to be written whole (a value
 * decompressed to 100 MB, huge headers) is written in its reduced form ({@link DeadLetter}), which always fits.
 */
public final class DecodeProcessor implements Processor<byte[], byte[], byte[], Object> {

    private static final Logger log = LoggerFactory.getLogger(DecodeProcessor.class);
    private static final long REPORT_INTERVAL_MS = 60_000;

    private final HeartbeatDecoder decoder;
    private final Consumer<RejectReason> deadLettered;
    private final Runnable reduced;
    private final int deadLetterMaxBytes;
    private final String windowsChild;
    private final String deadLetterChild;
    private final String noticeChild;
    private ProcessorContext<byte[], Object> context;
    private final Map<RejectReason, Long> sinceReport = new EnumMap<>(RejectReason.class);
    private long reducedSinceReport;
    private long lastReport = Long.MIN_VALUE;

    /**
     * @param deadLettered       told of each dead-lettered record's reason (the metrics count them)
     * @param reduced            told of each dead letter written in its reduced form
     * @param deadLetterMaxBytes the largest dead letter the dead-letter topic and the producer take
     * @param noticeChild        told of each dead-lettered record as a {@link DeadLettered} (the alarm stage), or
     *                           null
     */
    public DecodeProcessor(
            HeartbeatDecoder decoder,
            Consumer<RejectReason> deadLettered,
            Runnable reduced,
            int deadLetterMaxBytes,
            String windowsChild,
            String deadLetterChild,
            String noticeChild) {
        this.decoder = decoder;
        this.deadLettered = deadLettered;
        this.reduced = reduced;
        this.deadLetterMaxBytes = deadLetterMaxBytes;
        this.windowsChild = windowsChild;
        this.deadLetterChild = deadLetterChild;
        this.noticeChild = noticeChild;
    }

    @Override
    public void init(ProcessorContext<byte[], Object> context) {
        this.context = context;
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        Decoded decoded = decoder.decode(record.key(), record.value(), record.timestamp());
        if (decoded instanceof HeartbeatWindow window) {
            context.forward(record.withValue(window), windowsChild);
        } else {
            deadLetter(record, (Rejection) decoded);
        }
    }

    private void deadLetter(Record<byte[], byte[]> record, Rejection rejection) {
        RecordMetadata meta = context.recordMetadata().orElse(null);
        String topic = meta == null ? "" : meta.topic();
        String partition = meta == null ? "" : String.valueOf(meta.partition());
        String offset = meta == null ? "" : String.valueOf(meta.offset());
        Headers headers =
                DeadLetterHeaders.rejected(record.headers(), rejection, topic, partition, offset, record.timestamp());
        DeadLetter letter = DeadLetter.of(record.key(), record.value(), headers, deadLetterMaxBytes);
        context.forward(
                new Record<byte[], Object>(letter.key(), letter.value(), record.timestamp(), letter.headers()),
                deadLetterChild);
        deadLettered.accept(rejection.reason());
        if (noticeChild != null && meta != null) {
            DeadLettered notice = new DeadLettered(
                    new WindowSource(meta.topic(), meta.partition(), meta.offset()),
                    record.timestamp(),
                    rejection.reason());
            context.forward(new Record<byte[], Object>(record.key(), notice, record.timestamp()), noticeChild);
        }
        if (letter.reduced()) {
            reduced.run();
            reducedSinceReport++;
        }
        if (log.isDebugEnabled()) {
            log.debug(
                    "Dead-lettered {}/{}/{}: {} ({})",
                    topic,
                    partition,
                    offset,
                    rejection.reason(),
                    UntrustedText.of(rejection.detail()));
        }
        report(rejection, topic + "/" + partition + "/" + offset);
    }

    /** At most one WARN a minute per task, with counts by reason; details are in the DLQ headers. */
    private void report(Rejection rejection, String where) {
        sinceReport.merge(rejection.reason(), 1L, Long::sum);
        long now = context.currentSystemTimeMs();
        if (lastReport == Long.MIN_VALUE || now - lastReport >= REPORT_INTERVAL_MS) {
            log.warn(
                    "Dead-lettered input records {} (latest: {} at {}); they are in the dead-letter topic with the "
                            + "reason in their ecg.dlq.* headers{}",
                    sinceReport,
                    rejection.reason(),
                    where,
                    reducedSinceReport == 0
                            ? ""
                            : "; " + reducedSinceReport + " of them too large to be written whole, in their reduced "
                                    + "form (ecg.dlq.reduced: the first bytes, the original's size and SHA-256)");
            sinceReport.clear();
            reducedSinceReport = 0;
            lastReport = now;
        }
    }
}
