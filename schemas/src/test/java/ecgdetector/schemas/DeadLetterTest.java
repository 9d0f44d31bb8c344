package ecgdetector.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.internal.AbstractRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.junit.jupiter.api.Test;

class DeadLetterTest {

    private static final int LIMIT = 64 * 1024;
    private static final byte[] KEY = "patient-7".getBytes(StandardCharsets.UTF_8);

    @Test
    void aDeadLetterThatFitsIsTheRecordWhole() {
        byte[] value = new byte[LIMIT / 2];
        Headers headers = headers(3, 100);

        DeadLetter d = DeadLetter.of(KEY, value, headers, LIMIT);

        assertThat(d.reduced()).isFalse();
        assertThat(d.key()).isSameAs(KEY);
        assertThat(d.value()).isSameAs(value);
        assertThat(d.headers()).isSameAs(headers);
    }

    @Test
    void aValueTooLargeIsCutToWhatFitsWithItsSizeAndDigest() throws Exception {
        byte[] value = new byte[10 * LIMIT];
        Arrays.fill(value, (byte) 'x');
        value[0] = 'a';

        DeadLetter d = DeadLetter.of(KEY, value, headers(2, 10), LIMIT);

        assertThat(d.reduced()).isTrue();
        assertThat(DeadLetter.sizeUpperBound(d.key(), d.value(), d.headers())).isBetween(LIMIT - 100L, (long) LIMIT);
        assertThat(d.key()).isEqualTo(KEY);
        assertThat(d.value()).isEqualTo(Arrays.copyOf(value, d.value().length));
        assertThat(header(d, DeadLetterHeaders.ORIGINAL_SIZE)).isEqualTo(String.valueOf(value.length));
        assertThat(header(d, DeadLetterHeaders.ORIGINAL_SHA256))
                .isEqualTo(HexFormat.of()
                        .formatHex(MessageDigest.getInstance("SHA-256").digest(value)));
        assertThat(header(d, DeadLetterHeaders.ORIGINAL_HEADERS)).isEqualTo("2");
        assertThat(header(d, DeadLetterHeaders.REDUCED))
                .contains(String.valueOf(LIMIT))
                .contains("2 headers");
        assertThat(header(d, DeadLetterHeaders.REASON)).isEqualTo("OVERSIZED");
        assertThat(header(d, DeadLetterHeaders.OFFSET)).isEqualTo("42");
        assertThat(d.headers().headers("h0")).isEmpty();
    }

    @Test
    void headersTooLargeAreLeftOutAndTheValueKeptIfItThenFits() {
        byte[] value = "not a window".getBytes(StandardCharsets.UTF_8);

        DeadLetter d = DeadLetter.of(KEY, value, headers(4, LIMIT / 3), LIMIT);

        assertThat(d.reduced()).isTrue();
        assertThat(d.value()).isEqualTo(value);
        assertThat(header(d, DeadLetterHeaders.ORIGINAL_HEADERS)).isEqualTo("4");
        assertThat(d.headers().headers("h1")).isEmpty();
        assertThat(DeadLetter.sizeUpperBound(d.key(), d.value(), d.headers())).isLessThanOrEqualTo(LIMIT);
    }

    @Test
    void aHugeKeyAndALongDetailAreLeftOutOrCut() {
        byte[] key = new byte[DeadLetter.KEPT_KEY_BYTES + 1];
        Headers headers = headers(0, 0);
        headers.remove(DeadLetterHeaders.DETAIL);
        headers.add(DeadLetterHeaders.DETAIL, "é".repeat(LIMIT).getBytes(StandardCharsets.UTF_8));

        DeadLetter d = DeadLetter.of(key, new byte[LIMIT], headers, LIMIT);

        assertThat(d.key()).isNull();
        assertThat(header(d, DeadLetterHeaders.REDUCED)).contains("key of " + key.length + " bytes");
        assertThat(d.headers().lastHeader(DeadLetterHeaders.DETAIL).value()).hasSizeLessThanOrEqualTo(512);
        assertThat(header(d, DeadLetterHeaders.DETAIL)).matches("é+");
        assertThat(DeadLetter.sizeUpperBound(d.key(), d.value(), d.headers())).isLessThanOrEqualTo(LIMIT);
    }

    /** The producer checks {@code max.request.size} against this estimate of Kafka's (an internal class). */
    @Test
    void theBoundIsAtLeastWhatTheProducerAndTheBrokerCount() {
        for (int size : new int[] {0, 1, 127, 128, 16_383, 16_384, 2_097_152}) {
            byte[] value = new byte[size];
            Headers headers = headers(3, size / 7);
            Header[] array = headers.toArray();
            assertThat(DeadLetter.sizeUpperBound(KEY, value, headers))
                    .as("size %d", size)
                    .isGreaterThanOrEqualTo(AbstractRecords.estimateSizeInBytesUpperBound(
                            RecordBatch.CURRENT_MAGIC_VALUE, Compression.NONE.type(), KEY, value, array));
        }
    }

    @Test
    void aLimitTooSmallForTheReducedFormIsRefused() {
        assertThatThrownBy(() -> DeadLetter.of(KEY, new byte[10], headers(0, 0), 100))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("4096");
    }

    /** {@code n} headers of the record's own of {@code size} bytes each, then the rejection's. */
    private static Headers headers(int n, int size) {
        Headers own = new RecordHeaders();
        for (int i = 0; i < n; i++) {
            own.add("h" + i, new byte[size]);
        }
        return DeadLetterHeaders.rejected(
                own,
                new Rejection(RejectReason.OVERSIZED, "value of many bytes is larger than allowed"),
                "ecg.heartbeats",
                "0",
                "42",
                1L);
    }

    private static String header(DeadLetter d, String key) {
        Header h = d.headers().lastHeader(key);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
