package ecgdetector.view.feed;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The input records the view read lately, by partition and offset, so that a score can be matched with the window
 * it scored. Bounded: a score that arrives after its window has left the cache gets no samples, and says so.
 * Used by one thread.
 */
final class HeartbeatCache {

    /** One input record, as read. */
    record Heartbeat(byte[] key, byte[] value, long timestamp) {}

    /** Where a window stands in the cache. */
    enum Lookup {
        FOUND,
        NOT_READ_YET,
        GONE
    }

    private final int perPartition;
    private final Map<Integer, LinkedHashMap<Long, Heartbeat>> byPartition = new HashMap<>();
    /** The next offset the view will read, per partition: anything below it was read, or never will be. */
    private final Map<Integer, Long> nextOffset = new HashMap<>();

    HeartbeatCache(int perPartition) {
        this.perPartition = perPartition;
    }

    void put(int partition, long offset, Heartbeat record) {
        LinkedHashMap<Long, Heartbeat> records = byPartition.computeIfAbsent(partition, p -> new LinkedHashMap<>());
        records.put(offset, record);
        while (records.size() > perPartition) {
            records.remove(records.keySet().iterator().next());
        }
        nextOffset.merge(partition, offset + 1, Math::max);
    }

    /** The reader's position in a partition moved (a seek at start, or records skipped by the broker). */
    void positioned(int partition, long position) {
        nextOffset.merge(partition, position, Math::max);
    }

    Lookup lookup(int partition, long offset) {
        LinkedHashMap<Long, Heartbeat> records = byPartition.get(partition);
        if (records != null && records.containsKey(offset)) {
            return Lookup.FOUND;
        }
        Long next = nextOffset.get(partition);
        return next != null && offset < next ? Lookup.GONE : Lookup.NOT_READ_YET;
    }

    Heartbeat get(int partition, long offset) {
        LinkedHashMap<Long, Heartbeat> records = byPartition.get(partition);
        return records == null ? null : records.get(offset);
    }
}
