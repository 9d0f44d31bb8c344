package ecgdetector.model.alarm;

import ecgdetector.schemas.AlarmCause;
import ecgdetector.schemas.AlarmPriority;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.apache.kafka.common.utils.ByteUtils;

/**
 * One patient's alarm state: the same fields whatever the patient's history, and small (its stored form is
 * bounded by {@link #maxBytes(int)}), so that a task can hold millions of patients. A ring of the last M beats' verdicts (window id, event time, ratio), a ring of the last
 * {@link BeatQuality#WINDOW} records' quality, counters, and the open episodes. {@link #toBytes()} is its form in
 * the streamer's changelogged store: at most {@link #maxBytes(int)} bytes for a window of M beats, usually about
 * 100 for the default M = 5.
 *
 * <p>Mutated only by {@link AlarmEngine}; the streamer reads what it needs to index the patient (when it last
 * saw a record, whether its feed is silent).
 */
public final class PatientAlarms {

    /** Fixed fields; read, no longer written. */
    private static final byte FORMAT_FIXED = 1;
    /** Variable-length numbers, ids and times relative to the last beat's. */
    private static final byte FORMAT_COMPACT = 2;

    private static final int EPISODE_OPEN = 1;
    private static final int QUALITY_OPEN = 2;
    private static final int SILENT = 4;
    private static final int NOT_MONITORED = 8;
    private static final AlarmPriority[] PRIORITIES = AlarmPriority.values();
    private static final AlarmCause[] CAUSES = AlarmCause.values();

    // The patient's records, as the alarm stage saw them.
    int partition = -1;
    long lastBeatOffset = -1;
    long lastEventTime;
    long lastSeenWall;

    // The last M scored beats of good quality: which counted, their ids, times and ratios.
    final int window;
    int ringFill;
    int ringNext;
    int ringBits;
    final long[] ringOffsets;
    final long[] ringTimes;
    final float[] ringRatios;
    int normalRun;

    boolean episodeOpen;
    long episodeOffset;
    long episodeStart;
    long lastCountingTime;
    int episodeBeats;
    float episodePeak;
    AlarmPriority episodePriority = AlarmPriority.LOW;

    // The last BeatQuality.WINDOW records (beats and dead letters): which were bad, their ids and times.
    int qualityFill;
    int qualityNext;
    int qualityBits;
    final long[] qualityOffsets = new long[BeatQuality.WINDOW];
    final long[] qualityTimes = new long[BeatQuality.WINDOW];
    int goodRun;
    boolean qualityOpen;
    long qualityOffset;
    long qualityStart;
    AlarmCause qualityCause = AlarmCause.FLAT;

    boolean silent;
    boolean notMonitored;
    long notMonitoredSince;

    /** A patient not seen before, judged over the last {@code window} beats. */
    public PatientAlarms(int window) {
        if (window < 1 || window > AlarmRule.MAX_WINDOW) {
            throw new IllegalArgumentException("window must be 1 to " + AlarmRule.MAX_WINDOW + ", was " + window);
        }
        this.window = window;
        this.ringOffsets = new long[window];
        this.ringTimes = new long[window];
        this.ringRatios = new float[window];
    }

    /** Wall-clock ms at which the alarm stage last saw a record of this patient. */
    public long lastSeenWall() {
        return lastSeenWall;
    }

    /** Whether a {@code FEED_SILENT} episode is open. */
    public boolean silent() {
        return silent;
    }

    /** Whether a {@code NOT_MONITORED} episode is open. */
    public boolean notMonitored() {
        return notMonitored;
    }

    /** Whether a physiological episode is open. */
    public boolean episodeOpen() {
        return episodeOpen;
    }

    /** Whether a {@code SIGNAL_QUALITY} episode is open. */
    public boolean qualityOpen() {
        return qualityOpen;
    }

    /** Whether a beat of this patient was ever scored: only then can its feed fall silent. */
    public boolean hasBeats() {
        return lastBeatOffset >= 0;
    }

    public int window() {
        return window;
    }

    /**
     * The largest {@link #toBytes()} can be for a window of {@code window} beats; a patient's state is usually
     * less than half of it, since its ids and times are written as differences from its last beat's.
     */
    public static int maxBytes(int window) {
        int varint = 5;
        int varlong = 10;
        int header = 2 + varint + 3 * varlong;
        int ring = 3 * varint + window * (2 * varlong + 4);
        int episode = 1 + 3 * varlong + varint + 4 + 1;
        int qualityRing = 3 * varint + BeatQuality.WINDOW * 2 * varlong;
        int qualityEpisode = 2 * varlong + 1;
        return header + ring + episode + qualityRing + qualityEpisode + varlong;
    }

    /**
     * The state in the compact format: every integer a variable-length (zig-zag) number, and the ids and times
     * of the rings and episodes as differences from the last beat's, which are small. Written as the rings are
     * read, oldest entry first. With 10,000 patients nearly every scored window writes its patient's state to
     * the store and its changelog, so its size is paid per window.
     */
    public byte[] toBytes() {
        ByteBuffer out = ByteBuffer.allocate(maxBytes(window));
        out.put(FORMAT_COMPACT).put((byte) window);
        ByteUtils.writeVarint(partition, out);
        ByteUtils.writeVarlong(lastBeatOffset, out);
        ByteUtils.writeVarlong(lastEventTime, out);
        ByteUtils.writeVarlong(lastSeenWall - lastEventTime, out);
        int ringBitsByAge = 0;
        for (int age = 0; age < ringFill; age++) {
            ringBitsByAge |= ringCounts(ringIndex(age)) ? 1 << age : 0;
        }
        ByteUtils.writeVarint(ringFill, out);
        ByteUtils.writeVarint(ringBitsByAge, out);
        ByteUtils.writeVarint(normalRun, out);
        for (int age = 0; age < ringFill; age++) {
            int i = ringIndex(age);
            ByteUtils.writeVarlong(lastBeatOffset - ringOffsets[i], out);
            ByteUtils.writeVarlong(lastEventTime - ringTimes[i], out);
            out.putFloat(ringRatios[i]);
        }
        out.put((byte) flags());
        ByteUtils.writeVarlong(lastBeatOffset - episodeOffset, out);
        ByteUtils.writeVarlong(lastEventTime - episodeStart, out);
        ByteUtils.writeVarlong(lastEventTime - lastCountingTime, out);
        ByteUtils.writeVarint(episodeBeats, out);
        out.putFloat(episodePeak).put((byte) episodePriority.ordinal());
        int qualityBitsByAge = 0;
        for (int age = 0; age < qualityFill; age++) {
            qualityBitsByAge |= qualityBad(qualityIndex(age)) ? 1 << age : 0;
        }
        ByteUtils.writeVarint(qualityFill, out);
        ByteUtils.writeVarint(qualityBitsByAge, out);
        ByteUtils.writeVarint(goodRun, out);
        for (int age = 0; age < qualityFill; age++) {
            int i = qualityIndex(age);
            ByteUtils.writeVarlong(lastBeatOffset - qualityOffsets[i], out);
            ByteUtils.writeVarlong(lastEventTime - qualityTimes[i], out);
        }
        ByteUtils.writeVarlong(lastBeatOffset - qualityOffset, out);
        ByteUtils.writeVarlong(lastEventTime - qualityStart, out);
        out.put((byte) qualityCause.ordinal());
        ByteUtils.writeVarlong(lastSeenWall - notMonitoredSince, out);
        return Arrays.copyOf(out.array(), out.position());
    }

    private int flags() {
        return (episodeOpen ? EPISODE_OPEN : 0)
                | (qualityOpen ? QUALITY_OPEN : 0)
                | (silent ? SILENT : 0)
                | (notMonitored ? NOT_MONITORED : 0);
    }

    private void setFlags(int flags) {
        episodeOpen = (flags & EPISODE_OPEN) != 0;
        qualityOpen = (flags & QUALITY_OPEN) != 0;
        silent = (flags & SILENT) != 0;
        notMonitored = (flags & NOT_MONITORED) != 0;
    }

    /**
     * The state {@link #toBytes()} wrote, or the first format wrote (fixed fields, {@code 185 + 20 M} bytes), which
     * stores and changelogs of earlier versions hold. A state written with another window (the setting changed)
     * keeps its episodes and counters but starts its ring of verdicts afresh.
     *
     * @throws IllegalArgumentException if the bytes are not a whole state of either format
     */
    public static PatientAlarms fromBytes(byte[] bytes, int window) {
        try {
            ByteBuffer in = ByteBuffer.wrap(bytes);
            byte format = in.get();
            if (format != FORMAT_FIXED && format != FORMAT_COMPACT) {
                throw new IllegalArgumentException("unknown patient alarm state format " + format);
            }
            PatientAlarms stored = new PatientAlarms(in.get());
            if (format == FORMAT_FIXED) {
                stored.readFixed(in);
            } else {
                stored.readCompact(in);
            }
            if (in.hasRemaining()) {
                throw new IllegalArgumentException(in.remaining() + " bytes after the state");
            }
            return stored.window == window ? stored : stored.withWindow(window);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(
                    "corrupt patient alarm state of " + bytes.length + " bytes: " + e.getMessage(), e);
        }
    }

    private void readCompact(ByteBuffer in) {
        partition = ByteUtils.readVarint(in);
        lastBeatOffset = ByteUtils.readVarlong(in);
        lastEventTime = ByteUtils.readVarlong(in);
        lastSeenWall = lastEventTime + ByteUtils.readVarlong(in);
        ringFill = entries(ByteUtils.readVarint(in), window);
        ringBits = bits(ByteUtils.readVarint(in), ringFill);
        ringNext = ringFill % window;
        normalRun = ByteUtils.readVarint(in);
        for (int i = 0; i < ringFill; i++) {
            ringOffsets[i] = lastBeatOffset - ByteUtils.readVarlong(in);
            ringTimes[i] = lastEventTime - ByteUtils.readVarlong(in);
            ringRatios[i] = in.getFloat();
        }
        setFlags(in.get());
        episodeOffset = lastBeatOffset - ByteUtils.readVarlong(in);
        episodeStart = lastEventTime - ByteUtils.readVarlong(in);
        lastCountingTime = lastEventTime - ByteUtils.readVarlong(in);
        episodeBeats = ByteUtils.readVarint(in);
        episodePeak = in.getFloat();
        episodePriority = PRIORITIES[in.get()];
        qualityFill = entries(ByteUtils.readVarint(in), BeatQuality.WINDOW);
        qualityBits = bits(ByteUtils.readVarint(in), qualityFill);
        qualityNext = qualityFill % BeatQuality.WINDOW;
        goodRun = ByteUtils.readVarint(in);
        for (int i = 0; i < qualityFill; i++) {
            qualityOffsets[i] = lastBeatOffset - ByteUtils.readVarlong(in);
            qualityTimes[i] = lastEventTime - ByteUtils.readVarlong(in);
        }
        qualityOffset = lastBeatOffset - ByteUtils.readVarlong(in);
        qualityStart = lastEventTime - ByteUtils.readVarlong(in);
        qualityCause = CAUSES[in.get()];
        notMonitoredSince = lastSeenWall - ByteUtils.readVarlong(in);
    }

    private static int entries(int fill, int capacity) {
        if (fill < 0 || fill > capacity) {
            throw new IllegalArgumentException("a ring of " + capacity + " holding " + fill);
        }
        return fill;
    }

    private static int bits(int bits, int fill) {
        if ((bits & ~((1 << fill) - 1)) != 0) {
            throw new IllegalArgumentException("bits " + Integer.toBinaryString(bits) + " beyond " + fill + " entries");
        }
        return bits;
    }

    private void readFixed(ByteBuffer in) {
        partition = in.getInt();
        lastBeatOffset = in.getLong();
        lastEventTime = in.getLong();
        lastSeenWall = in.getLong();
        ringFill = in.getInt();
        ringNext = in.getInt();
        ringBits = in.getInt();
        normalRun = in.getInt();
        for (int i = 0; i < window; i++) {
            ringOffsets[i] = in.getLong();
            ringTimes[i] = in.getLong();
            ringRatios[i] = in.getFloat();
        }
        setFlags(in.get());
        episodeOffset = in.getLong();
        episodeStart = in.getLong();
        lastCountingTime = in.getLong();
        episodeBeats = in.getInt();
        episodePeak = in.getFloat();
        episodePriority = PRIORITIES[in.get()];
        qualityFill = in.getInt();
        qualityNext = in.getInt();
        qualityBits = in.getInt();
        goodRun = in.getInt();
        for (int i = 0; i < BeatQuality.WINDOW; i++) {
            qualityOffsets[i] = in.getLong();
            qualityTimes[i] = in.getLong();
        }
        qualityOffset = in.getLong();
        qualityStart = in.getLong();
        qualityCause = CAUSES[in.get()];
        notMonitoredSince = in.getLong();
    }

    private PatientAlarms withWindow(int newWindow) {
        PatientAlarms s = new PatientAlarms(newWindow);
        s.partition = partition;
        s.lastBeatOffset = lastBeatOffset;
        s.lastEventTime = lastEventTime;
        s.lastSeenWall = lastSeenWall;
        s.normalRun = normalRun;
        s.episodeOpen = episodeOpen;
        s.episodeOffset = episodeOffset;
        s.episodeStart = episodeStart;
        s.lastCountingTime = lastCountingTime;
        s.episodeBeats = episodeBeats;
        s.episodePeak = episodePeak;
        s.episodePriority = episodePriority;
        s.qualityFill = qualityFill;
        s.qualityNext = qualityNext;
        s.qualityBits = qualityBits;
        System.arraycopy(qualityOffsets, 0, s.qualityOffsets, 0, BeatQuality.WINDOW);
        System.arraycopy(qualityTimes, 0, s.qualityTimes, 0, BeatQuality.WINDOW);
        s.goodRun = goodRun;
        s.qualityOpen = qualityOpen;
        s.qualityOffset = qualityOffset;
        s.qualityStart = qualityStart;
        s.qualityCause = qualityCause;
        s.silent = silent;
        s.notMonitored = notMonitored;
        s.notMonitoredSince = notMonitoredSince;
        return s;
    }

    // --- the rings ---

    /** Adds a beat to the ring of verdicts, dropping the oldest once it holds M. */
    void pushBeat(long offset, long eventTime, float ratio, boolean counts) {
        int bit = 1 << ringNext;
        ringBits = counts ? ringBits | bit : ringBits & ~bit;
        ringOffsets[ringNext] = offset;
        ringTimes[ringNext] = eventTime;
        ringRatios[ringNext] = ratio;
        ringNext = (ringNext + 1) % window;
        ringFill = Math.min(window, ringFill + 1);
    }

    /** How many of the ring's beats count. */
    int counting() {
        return Integer.bitCount(ringBits);
    }

    /** Ring positions oldest first. */
    int ringIndex(int age) {
        return ((ringNext - ringFill + age) % window + window) % window;
    }

    boolean ringCounts(int index) {
        return (ringBits & (1 << index)) != 0;
    }

    void pushQuality(long offset, long time, boolean bad) {
        int bit = 1 << qualityNext;
        qualityBits = bad ? qualityBits | bit : qualityBits & ~bit;
        qualityOffsets[qualityNext] = offset;
        qualityTimes[qualityNext] = time;
        qualityNext = (qualityNext + 1) % BeatQuality.WINDOW;
        qualityFill = Math.min(BeatQuality.WINDOW, qualityFill + 1);
        goodRun = bad ? 0 : goodRun + 1;
    }

    int badRecords() {
        return Integer.bitCount(qualityBits);
    }

    int qualityIndex(int age) {
        return ((qualityNext - qualityFill + age) % BeatQuality.WINDOW + BeatQuality.WINDOW) % BeatQuality.WINDOW;
    }

    boolean qualityBad(int index) {
        return (qualityBits & (1 << index)) != 0;
    }
}
