package ecgdetector.model.alarm;

import java.util.Locale;

/**
 * The parameters of a patient's alarms: when a run of beats is an episode, when it ends, and how long a feed may
 * be silent. The streamer's settings {@code ecg.alarm.*} fill it. {@link #DEFAULT}'s N, M, ratio and K are the
 * choice of the committed alarm selection ({@code ./ecg alarms --select}: scenario feeds of the training part's
 * beats scored out of fold, never the test part's; the trainer's {@code alarm-selection.json}, which a test holds
 * these constants to); the test part's scenario feeds are their held-out evaluation (docs/alarms.md).
 *
 * @param beats      N: an episode is raised when at least this many of the last {@code window} beats count
 * @param window     M: how many of the patient's latest beats the rule looks at
 * @param ratio      a beat counts when its score is above this multiple of the release's threshold; 1 is the
 *                   per-beat alert's rule
 * @param clearBeats K: an open episode clears after this many consecutive beats that do not count
 * @param quietMs    ... or once no beat has counted for this long (event time), whichever comes first
 * @param silenceMs  S: a feed is silent after this long without a record
 */
public record AlarmRule(int beats, int window, double ratio, int clearBeats, long quietMs, long silenceMs) {

    /** The longest window: the ring of verdicts is one {@code int} of bits. */
    public static final int MAX_WINDOW = 16;

    public static final int DEFAULT_BEATS = 3;
    public static final int DEFAULT_WINDOW = 4;
    public static final double DEFAULT_RATIO = 1.0;
    public static final int DEFAULT_CLEAR_BEATS = 4;
    public static final long DEFAULT_QUIET_MS = 30_000;
    public static final long DEFAULT_SILENCE_MS = 10_000;

    public static final AlarmRule DEFAULT = new AlarmRule(
            DEFAULT_BEATS, DEFAULT_WINDOW, DEFAULT_RATIO, DEFAULT_CLEAR_BEATS, DEFAULT_QUIET_MS, DEFAULT_SILENCE_MS);

    public AlarmRule {
        if (window < 1 || window > MAX_WINDOW) {
            throw new IllegalArgumentException("the alarm window must be 1 to " + MAX_WINDOW + " beats, was " + window);
        }
        if (beats < 1 || beats > window) {
            throw new IllegalArgumentException(
                    "the alarm's beats must be 1 to the window (" + window + "), was " + beats);
        }
        if (!(ratio > 0) || !Double.isFinite(ratio)) {
            throw new IllegalArgumentException("the alarm ratio must be finite and above 0, was " + ratio);
        }
        if (clearBeats < 1) {
            throw new IllegalArgumentException("the alarm's clear beats must be at least 1, was " + clearBeats);
        }
        if (quietMs < 1 || silenceMs < 1) {
            throw new IllegalArgumentException("quiet and silence times must be at least 1 ms");
        }
    }

    /** Whether a beat of this score / threshold counts towards an episode. */
    public boolean counts(double ratio) {
        return ratio > this.ratio;
    }

    /** The same rule with another N of M at another ratio, as the rule family varies it. */
    public AlarmRule withBeats(int newBeats, int newWindow, double newRatio) {
        return new AlarmRule(newBeats, newWindow, newRatio, clearBeats, quietMs, silenceMs);
    }

    /** The same rule with another K. */
    public AlarmRule withClearBeats(int newClearBeats) {
        return new AlarmRule(beats, window, ratio, newClearBeats, quietMs, silenceMs);
    }

    /** The same rule with another silence time. */
    public AlarmRule withSilence(long newSilenceMs) {
        return new AlarmRule(beats, window, ratio, clearBeats, quietMs, newSilenceMs);
    }

    /** {@code 3 of 4 > 1.2x}: the short form of the raise rule, for tables and plots. */
    public String shortName() {
        return String.format(Locale.ROOT, "%d of %d > %sx", beats, window, ratioText());
    }

    public String ratioText() {
        return java.math.BigDecimal.valueOf(ratio).stripTrailingZeros().toPlainString();
    }

    /** The rule in words, as alarms carry it. */
    public String describe() {
        return String.format(
                Locale.ROOT,
                "%d of the last %d beats above %sx threshold; cleared after %d beats at or below it or %d s without"
                        + " one above",
                beats,
                window,
                ratioText(),
                clearBeats,
                quietMs / 1000);
    }
}
