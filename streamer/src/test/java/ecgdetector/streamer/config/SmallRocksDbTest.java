package ecgdetector.streamer.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;

class SmallRocksDbTest {

    @Test
    void everyStoreGetsSmallMemtables() {
        RocksDB.loadLibrary();
        try (Options first = new Options();
                Options second = new Options()) {
            for (Options options : new Options[] {first, second}) {
                options.setTableFormatConfig(new BlockBasedTableConfig());
                new SmallRocksDb().setConfig("batch-buffer-store", options, Map.of());
            }
            assertThat(first.writeBufferSize()).isEqualTo(SmallRocksDb.WRITE_BUFFER_BYTES);
            assertThat(first.maxWriteBufferNumber()).isEqualTo(SmallRocksDb.MAX_WRITE_BUFFERS);
            assertThat(second.writeBufferSize()).isEqualTo(SmallRocksDb.WRITE_BUFFER_BYTES);
        }
    }
}
