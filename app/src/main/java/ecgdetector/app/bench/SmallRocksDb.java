package ecgdetector.app.bench;

import java.util.Map;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Cache;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;

/**
 * RocksDB sized for the streamer's batch buffer, which never holds more than a few batches: 2 MB memtables
 * (at most 2) and one 8 MB block cache shared by every store of the JVM, instead of Kafka Streams' defaults of
 * 16 MB x 3 memtables and a 50 MB cache <em>per store</em> (one store per input partition).
 *
 * <p>An experiment for {@code ./ecg bench}, not a production setting: {@code --app-config
 * rocksdb.config.setter=ecgdetector.app.bench.SmallRocksDb} shows what the streamer's memory would be with it.
 */
public final class SmallRocksDb implements RocksDBConfigSetter {

    private static final long MB = 1024 * 1024;
    /** Made on first use: Kafka Streams loads this class before RocksDB's native library. */
    private static Cache sharedCache;

    private static synchronized Cache sharedCache() {
        if (sharedCache == null) {
            sharedCache = new LRUCache(8 * MB);
        }
        return sharedCache;
    }

    @Override
    public void setConfig(String storeName, Options options, Map<String, Object> configs) {
        BlockBasedTableConfig table = (BlockBasedTableConfig) options.tableFormatConfig();
        table.setBlockCache(sharedCache());
        options.setTableFormatConfig(table);
        options.setWriteBufferSize(2 * MB);
        options.setMaxWriteBufferNumber(2);
    }

    @Override
    public void close(String storeName, Options options) {
        // The cache is shared by every store and lives as long as the JVM.
    }
}
