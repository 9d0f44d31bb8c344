package ecgdetector.streamer.alarm;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.utils.Bytes;

/**
 * A task's patients in memory, by when a record of theirs was last seen (wall clock), so that a tick finds the
 * patients whose silence is due, and those to forget, from the head of two ordered maps instead of scanning every
 * patient of the store. {@code active}: patients not yet past the silence time, least recently seen first;
 * {@code quiet}: patients past it, in the order they went quiet, until they send again or are forgotten. One
 * entry per patient (about 100 bytes plus the key); the store holds the state itself.
 */
final class PatientIndex {

    private final LinkedHashMap<Bytes, Long> active = new LinkedHashMap<>(64, 0.75f, true);
    private final LinkedHashMap<Bytes, Long> quiet = new LinkedHashMap<>();

    /** A record of {@code patient} was seen at {@code wallNow}: it moves to the end of the active ones. */
    void seen(Bytes patient, long wallNow) {
        if (!quiet.isEmpty()) {
            quiet.remove(patient);
        }
        active.put(patient, wallNow);
    }

    /** A patient restored from the store that has gone quiet already; restored in the order they went quiet. */
    void restoredQuiet(Bytes patient, long lastSeen) {
        quiet.put(patient, lastSeen);
    }

    /** The active patients last seen at or before {@code cutoff}; they move to the quiet ones. */
    List<Bytes> goneQuiet(long cutoff) {
        List<Bytes> due = new ArrayList<>();
        Iterator<Map.Entry<Bytes, Long>> it = active.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<Bytes, Long> e = it.next();
            if (e.getValue() > cutoff) {
                break;
            }
            due.add(e.getKey());
            quiet.put(e.getKey(), e.getValue());
            it.remove();
        }
        return due;
    }

    /** The quiet patients last seen at or before {@code cutoff}, in that order; they stay until {@link #forget}. */
    List<Bytes> quietSince(long cutoff) {
        List<Bytes> due = new ArrayList<>();
        for (Map.Entry<Bytes, Long> e : quiet.entrySet()) {
            if (e.getValue() > cutoff) {
                break;
            }
            due.add(e.getKey());
        }
        return due;
    }

    void forget(Bytes patient) {
        active.remove(patient);
        quiet.remove(patient);
    }

    /** The active patients, a copy. */
    List<Bytes> active() {
        return new ArrayList<>(active.keySet());
    }

    void clear() {
        active.clear();
        quiet.clear();
    }

    int size() {
        return active.size() + quiet.size();
    }
}
