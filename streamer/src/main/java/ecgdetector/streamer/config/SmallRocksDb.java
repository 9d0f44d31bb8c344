package ecgdetector.streamer.config;

import java.util.Map;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Cache;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;

/**
 * RocksDB sized for the streamer's stores, the streamer's default {@code rocksdb.config.setter}: 2 MB
 * memtables (at most 2) and one 8 MB block cache shared by every store of the JVM, instead of Kafka Streams'
 * defaults of 16 MB x 3 memtables and a 50 MB cache <em>per store</em> (one batch-buffer store per input
 * partition, and the model releases' global store).
 *
 * <p>The batch buffer holds a few batches at most and is only written (put on arrival, delete once scored;
 * the order is kept in memory), so large memtables only filled up with windows already gone: under a steady
 * load the defaults let the streamer's resident memory creep up for minutes, by up to ~150 MB with three
 * partitions, where with these sizes it stays flat (docs/benchmarks.md, the soak).
 */
public final class SmallRocksDb implements RocksDBConfigSetter {

    static final long WRITE_BUFFER_BYTES = 2L * 1024 * 1024;
    static final int MAX_WRITE_BUFFERS = 2;
    static final long SHARED_CACHE_BYTES = 8L * 1024 * 1024;
    /** Made on first use: Kafka Streams loads this class before RocksDB's native library. */
    private static Cache sharedCache;

    private static synchronized Cache sharedCache() {
        if (sharedCache == null) {
            sharedCache = new LRUCache(SHARED_CACHE_BYTES);
        }
        return sharedCache;
    }

    @Override
    public void setConfig(String storeName, Options options, Map<String, Object> configs) {
        BlockBasedTableConfig table = (BlockBasedTableConfig) options.tableFormatConfig();
        table.setBlockCache(sharedCache());
        options.setTableFormatConfig(table);
        options.setWriteBufferSize(WRITE_BUFFER_BYTES);
        options.setMaxWriteBufferNumber(MAX_WRITE_BUFFERS);
    }

    @Override
    public void close(String storeName, Options options) {
        // The cache is shared by every store and lives as long as the JVM.
    }
}
