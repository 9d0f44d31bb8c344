package ecgdetector.model.alarm;

import ecgdetector.schemas.AlarmCause;
import ecgdetector.schemas.AlarmPriority;
import java.nio.ByteBuffer;

/**
 * One patient's alarm state: small and of fixed size whatever the patient's history, so that a task can hold
 * millions of patients. A ring of the last M beats' verdicts (window id, event time, ratio), a ring of the last
 * {@link BeatQuality#WINDOW} records' quality, counters, and the open episodes. {@link #toBytes()} is its form in
 * the streamer's changelogged store: {@link #bytes(int)} bytes for a window of M beats.
 *
 * <p>Mutated only by {@link AlarmEngine}; the streamer reads what it needs to index the patient (when it last
 * saw a record, whether its feed is silent).
 */
public final class PatientAlarms {

    private static final byte FORMAT = 1;
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

    /** The size of {@link #toBytes()} for a window of {@code window} beats. */
    public static int bytes(int window) {
        return 2 // format, window
                + 4
                + 8
                + 8
                + 8 // partition, last beat offset, event time, wall clock
                + 4 * 4
                + window * (8 + 8 + 4) // ring fill, next, bits, normal run; entries
                + 1 // flags
                + 8
                + 8
                + 8
                + 4
                + 4
                + 1 // episode
                + 4 * 4
                + BeatQuality.WINDOW * (8 + 8) // quality ring and good run
                + 8
                + 8
                + 1 // quality episode
                + 8; // not monitored since
    }

    public byte[] toBytes() {
        ByteBuffer out = ByteBuffer.allocate(bytes(window));
        out.put(FORMAT).put((byte) window);
        out.putInt(partition).putLong(lastBeatOffset).putLong(lastEventTime).putLong(lastSeenWall);
        out.putInt(ringFill).putInt(ringNext).putInt(ringBits).putInt(normalRun);
        for (int i = 0; i < window; i++) {
            out.putLong(ringOffsets[i]).putLong(ringTimes[i]).putFloat(ringRatios[i]);
        }
        int flags = (episodeOpen ? EPISODE_OPEN : 0)
                | (qualityOpen ? QUALITY_OPEN : 0)
                | (silent ? SILENT : 0)
                | (notMonitored ? NOT_MONITORED : 0);
        out.put((byte) flags);
        out.putLong(episodeOffset).putLong(episodeStart).putLong(lastCountingTime);
        out.putInt(episodeBeats).putFloat(episodePeak).put((byte) episodePriority.ordinal());
        out.putInt(qualityFill).putInt(qualityNext).putInt(qualityBits).putInt(goodRun);
        for (int i = 0; i < BeatQuality.WINDOW; i++) {
            out.putLong(qualityOffsets[i]).putLong(qualityTimes[i]);
        }
        out.putLong(qualityOffset).putLong(qualityStart).put((byte) qualityCause.ordinal());
        out.putLong(notMonitoredSince);
        return out.array();
    }

    /**
     * The state {@link #toBytes()} wrote. A state written with another window (the setting changed) keeps its
     * episodes and counters but starts its ring of verdicts afresh.
     *
     * @throws IllegalArgumentException if the bytes are not a state of this format
     */
    public static PatientAlarms fromBytes(byte[] bytes, int window) {
        try {
            ByteBuffer in = ByteBuffer.wrap(bytes);
            if (in.get() != FORMAT) {
                throw new IllegalArgumentException("unknown patient alarm state format " + bytes[0]);
            }
            int written = in.get();
            PatientAlarms stored = new PatientAlarms(written);
            stored.read(in);
            return written == window ? stored : stored.withWindow(window);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("corrupt patient alarm state of " + bytes.length + " bytes", e);
        }
    }

    private void read(ByteBuffer in) {
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
        int flags = in.get();
        episodeOpen = (flags & EPISODE_OPEN) != 0;
        qualityOpen = (flags & QUALITY_OPEN) != 0;
        silent = (flags & SILENT) != 0;
        notMonitored = (flags & NOT_MONITORED) != 0;
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
