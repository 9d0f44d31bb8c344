package ecgdetector.model.release;

import ecgdetector.schemas.ReleaseKey;
import ecgdetector.schemas.ReleaseManifest;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * A release as one record of the models topic, release format {@value ReleaseManifest#FORMAT_VERSION}
 * ({@code docs/release-format.md}):
 * <ul>
 *   <li>key: {@code modelName/version} ({@link ReleaseKey}), UTF-8: one key per release;</li>
 *   <li>value: the release's wire form ({@link ReleaseBundle#toBytes()}), exactly the bytes that are signed;</li>
 *   <li>headers: {@value #HEADER_FORMAT} ({@code 2}), {@value #HEADER_SIGNATURE} (the Ed25519 signature of the
 *       value, base64) and {@value #HEADER_KEY_ID} (the signing key's id) when signed, and {@value #HEADER_VERSION}
 *       and {@value #HEADER_DIGEST}, which repeat the manifest's for tools and are not trusted by readers.</li>
 * </ul>
 * The signature travels beside the bytes it covers, not inside them, so a reader checks it before it parses
 * anything ({@link ReleaseVerifier}).
 *
 * @param key     the record key
 * @param value   the record value
 * @param headers the record headers
 */
public record ReleaseRecord(String key, byte[] value, Headers headers) {

    public static final String HEADER_FORMAT = "ecg.release.format";
    public static final String HEADER_SIGNATURE = "ecg.release.signature";
    public static final String HEADER_KEY_ID = "ecg.release.key-id";
    public static final String HEADER_VERSION = "ecg.release.version";
    public static final String HEADER_DIGEST = "ecg.release.digest";

    public ReleaseRecord {
        headers = headers == null ? new RecordHeaders() : headers;
    }

    /** The release as a record signed with {@code key}. */
    public static ReleaseRecord signed(ReleaseBundle release, ReleaseSigningKey key) {
        byte[] value = release.toBytes();
        Headers headers = headersOf(release);
        headers.add(HEADER_SIGNATURE, Base64.getEncoder().encode(key.sign(value)));
        headers.add(HEADER_KEY_ID, key.keyId().getBytes(StandardCharsets.UTF_8));
        return new ReleaseRecord(keyOf(release).toString(), value, headers);
    }

    /** The release as a record without a signature, for streamers started with unsigned releases allowed. */
    public static ReleaseRecord unsigned(ReleaseBundle release) {
        return new ReleaseRecord(keyOf(release).toString(), release.toBytes(), headersOf(release));
    }

    public static ReleaseKey keyOf(ReleaseBundle release) {
        return new ReleaseKey(release.modelName(), release.version());
    }

    /** The last header of that name, as bytes. */
    public Optional<byte[]> header(String name) {
        Header header = headers.lastHeader(name);
        return header == null || header.value() == null ? Optional.empty() : Optional.of(header.value());
    }

    /** The last header of that name, as UTF-8 text (unverified: escape it before logging it). */
    public Optional<String> headerText(String name) {
        return header(name).map(v -> new String(v, StandardCharsets.UTF_8));
    }

    private static Headers headersOf(ReleaseBundle release) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(
                HEADER_FORMAT,
                String.valueOf(release.manifest().formatVersion()).getBytes(StandardCharsets.US_ASCII));
        headers.add(HEADER_VERSION, release.version().getBytes(StandardCharsets.UTF_8));
        headers.add(HEADER_DIGEST, release.manifest().digest().getBytes(StandardCharsets.UTF_8));
        return headers;
    }
}
