package ecgdetector.streamer.batch;

import ecgdetector.schemas.HeartbeatWindow;
import ecgdetector.schemas.WindowSource;
import ecgdetector.streamer.window.BufferedWindow;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Compact binary form of a {@link BufferedWindow} in the buffer store and its changelog: about 600 bytes for
 * 140 samples, raw floats so a restored window is bit-for-bit the one that was buffered.
 *
 * <pre>
 * byte    format (2; 1 is read too, as epoch 0 without a topic id)
 * int     partition, long offset, long recordTimestamp, long bufferedAt, long eventTime
 * byte    flags: 1 key, 2 patientId, 4 beatId, 8 label, 16 topic id
 * [int n, n bytes key] [int n, UTF-8 patientId] [int n, UTF-8 beatId] [double label]
 * int n, UTF-8 topic
 * int n, n floats samples
 * format 2 only: int epoch, [long, long topic id]
 * </pre>
 */
public final class BufferedWindowSerde implements Serde<BufferedWindow> {

    private static final byte FORMAT = 2;
    private static final byte FORMAT_WITHOUT_EPOCH = 1;
    private static final int HAS_KEY = 1;
    private static final int HAS_PATIENT = 2;
    private static final int HAS_BEAT = 4;
    private static final int HAS_LABEL = 8;
    private static final int HAS_TOPIC_ID = 16;

    @Override
    public Serializer<BufferedWindow> serializer() {
        return (topic, w) -> w == null ? null : toBytes(w);
    }

    @Override
    public Deserializer<BufferedWindow> deserializer() {
        return (topic, bytes) -> bytes == null ? null : fromBytes(bytes);
    }

    public static byte[] toBytes(BufferedWindow w) {
        HeartbeatWindow win = w.window();
        byte[] patient = utf8(win.patientId());
        byte[] beat = utf8(win.beatId());
        byte[] topic = w.source().topic().getBytes(StandardCharsets.UTF_8);
        float[] samples = win.samples();
        int size = 1
                + 4
                + 8 * 4
                + 1
                + (w.key() != null ? 4 + w.key().length : 0)
                + (patient != null ? 4 + patient.length : 0)
                + (beat != null ? 4 + beat.length : 0)
                + (win.label() != null ? 8 : 0)
                + 4
                + topic.length
                + 4
                + 4 * samples.length
                + 4
                + (w.topicId() != null ? 16 : 0);
        ByteBuffer out = ByteBuffer.allocate(size);
        out.put(FORMAT);
        out.putInt(w.source().partition())
                .putLong(w.source().offset())
                .putLong(w.recordTimestamp())
                .putLong(w.bufferedAt())
                .putLong(win.eventTime());
        int flags = (w.key() != null ? HAS_KEY : 0)
                | (patient != null ? HAS_PATIENT : 0)
                | (beat != null ? HAS_BEAT : 0)
                | (win.label() != null ? HAS_LABEL : 0)
                | (w.topicId() != null ? HAS_TOPIC_ID : 0);
        out.put((byte) flags);
        if (w.key() != null) {
            out.putInt(w.key().length).put(w.key());
        }
        if (patient != null) {
            out.putInt(patient.length).put(patient);
        }
        if (beat != null) {
            out.putInt(beat.length).put(beat);
        }
        if (win.label() != null) {
            out.putDouble(win.label());
        }
        out.putInt(topic.length).put(topic);
        out.putInt(samples.length);
        out.asFloatBuffer().put(samples);
        out.position(out.position() + 4 * samples.length);
        out.putInt(w.epoch());
        if (w.topicId() != null) {
            out.putLong(w.topicId().getMostSignificantBits())
                    .putLong(w.topicId().getLeastSignificantBits());
        }
        return out.array();
    }

    public static BufferedWindow fromBytes(byte[] bytes) {
        try {
            ByteBuffer in = ByteBuffer.wrap(bytes);
            byte format = in.get();
            if (format != FORMAT && format != FORMAT_WITHOUT_EPOCH) {
                throw new SerializationException("unknown buffered window format " + format);
            }
            int partition = in.getInt();
            long offset = in.getLong();
            long recordTimestamp = in.getLong();
            long bufferedAt = in.getLong();
            long eventTime = in.getLong();
            int flags = in.get();
            byte[] key = (flags & HAS_KEY) != 0 ? bytes(in) : null;
            String patient = (flags & HAS_PATIENT) != 0 ? new String(bytes(in), StandardCharsets.UTF_8) : null;
            String beat = (flags & HAS_BEAT) != 0 ? new String(bytes(in), StandardCharsets.UTF_8) : null;
            Double label = (flags & HAS_LABEL) != 0 ? in.getDouble() : null;
            String topic = new String(bytes(in), StandardCharsets.UTF_8);
            float[] samples = new float[in.getInt()];
            in.asFloatBuffer().get(samples);
            in.position(in.position() + 4 * samples.length);
            int epoch = format == FORMAT ? in.getInt() : 0;
            Uuid topicId =
                    format == FORMAT && (flags & HAS_TOPIC_ID) != 0 ? new Uuid(in.getLong(), in.getLong()) : null;
            return new BufferedWindow(
                    new WindowSource(topic, partition, offset),
                    recordTimestamp,
                    bufferedAt,
                    key,
                    new HeartbeatWindow(patient, beat, eventTime, samples, label),
                    topicId,
                    epoch);
        } catch (RuntimeException e) {
            throw new SerializationException("corrupt buffered window of " + bytes.length + " bytes", e);
        }
    }

    private static byte[] bytes(ByteBuffer in) {
        byte[] b = new byte[in.getInt()];
        in.get(b);
        return b;
    }

    private static byte[] utf8(String s) {
        return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
    }
}
