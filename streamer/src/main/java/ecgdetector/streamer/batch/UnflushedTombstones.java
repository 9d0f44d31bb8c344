package ecgdetector.streamer.batch;

import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.state.internals.CachingKeyValueStore;
import org.apache.kafka.streams.state.internals.WrappedStateStore;

/**
 * Makes a caching store skip the tombstone of a key that never left its cache. Most windows are put into the batch
 * buffer and removed again before the next commit; Kafka Streams' caching store then still writes a tombstone for
 * each to RocksDB and to the changelog at the commit, although neither ever held the key: one changelog record per
 * window, about as costly as the window's score record (docs/benchmarks.md). Given a flush listener, the same
 * store first asks the layer below whether it holds the key and writes nothing if not, an optimisation Kafka
 * Streams applies to the stores of its tables; a no-op listener turns it on for the buffer. Skipping is safe: a key
 * RocksDB does not hold has no live record in the changelog either (the changelog is what RocksDB restores from),
 * so a restore after a crash sees the same buffer.
 *
 * <p>The listener is set on the caching layer itself, below the metered store, whose own listener would
 * deserialise every window it flushes. These are Kafka Streams' internal classes; {@code StreamerTopologyTest}
 * counts the changelog's records, so an upgrade that changes them shows there.
 */
final class UnflushedTombstones {

    private UnflushedTombstones() {}

    /**
     * Turns the skipping on for {@code store} (as a processor gets it from its context).
     *
     * @return whether the store has a caching layer to turn it on in; without one every delete is written, as
     *     before
     */
    static boolean skip(StateStore store) {
        StateStore layer = store;
        while (layer instanceof WrappedStateStore<?, ?, ?> wrapper) {
            if (layer instanceof CachingKeyValueStore caching) {
                return caching.setFlushListener(record -> {}, false);
            }
            layer = wrapper.wrapped();
        }
        return false;
    }
}
