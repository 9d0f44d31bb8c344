package ecgdetector.model.release;

import ecgdetector.model.input.UntrustedText;
import ecgdetector.schemas.ReleaseKey;
import ecgdetector.schemas.ReleaseManifest;
import java.util.Base64;
import java.util.Optional;

/**
 * What a reader requires of a release record before anything of its value is parsed, and the one place that checks
 * it, in this order: a size cap, the format header, the signature over the value's bytes (by one of the trusted
 * public keys, unless unsigned releases were explicitly allowed), and only then the value itself, read with bounds
 * ({@link ReleaseBundle#parse}), whose model name and version must be the ones the record key names. A record that
 * fails is refused with {@link InvalidReleaseException} saying why; any untrusted text in the reason is escaped.
 */
public final class ReleaseVerifier {

    /**
     * The default size cap of a release record's value: 1 MiB, about 7 times today's release (140 KB: the 23,668
     * weights of the 140-64-32-16-8 autoencoder as float32 constants in base64, and the manifest). A larger
     * architecture raises it on purpose ({@code ecg.release.max.bytes}); the models topic takes up to 8 MiB.
     */
    public static final int DEFAULT_MAX_BYTES = 1024 * 1024;

    private static final String FORMAT = String.valueOf(ReleaseManifest.FORMAT_VERSION);

    private final TrustedReleaseKeys trusted;
    private final boolean allowUnsigned;
    private final int maxBytes;

    private ReleaseVerifier(TrustedReleaseKeys trusted, boolean allowUnsigned, int maxBytes) {
        this.trusted = trusted;
        this.allowUnsigned = allowUnsigned;
        this.maxBytes = maxBytes;
    }

    /**
     * A verifier that requires a signature by one of {@code trusted}.
     *
     * @throws IllegalArgumentException if there is no key: a reader that trusts no key must say so with {@link
     *                                  #unsigned(int)}
     */
    public static ReleaseVerifier signedBy(TrustedReleaseKeys trusted, int maxBytes) {
        if (trusted.isEmpty()) {
            throw new IllegalArgumentException("no public key to verify releases with");
        }
        return new ReleaseVerifier(trusted, false, requirePositive(maxBytes));
    }

    /** A verifier that does not look at signatures: any well-formed release of format 2 passes. */
    public static ReleaseVerifier unsigned(int maxBytes) {
        return new ReleaseVerifier(TrustedReleaseKeys.none(), true, requirePositive(maxBytes));
    }

    /** Whether a release must be signed by a trusted key. */
    public boolean signaturesRequired() {
        return !allowUnsigned;
    }

    public TrustedReleaseKeys trusted() {
        return trusted;
    }

    public int maxBytes() {
        return maxBytes;
    }

    /**
     * Verifies a release record and reads it.
     *
     * @return the release, well-formed, consistent with its digest and its key, and signed if signatures are required
     * @throws InvalidReleaseException saying what is wrong
     */
    public ReleaseBundle verify(ReleaseRecord record) throws InvalidReleaseException {
        byte[] value = record.value();
        if (value == null || value.length == 0) {
            throw new InvalidReleaseException("empty release record");
        }
        if (value.length > maxBytes) {
            throw new InvalidReleaseException("release record of " + value.length + " bytes is over the limit of "
                    + maxBytes + " bytes (ecg.release.max.bytes); not read");
        }
        checkFormat(record);
        ReleaseKey key = ReleaseKey.parse(record.key())
                .orElseThrow(() -> new InvalidReleaseException(
                        "record key '" + UntrustedText.of(record.key()) + "' is not modelName/version"));
        if (!allowUnsigned) {
            checkSignature(record);
        }
        ReleaseBundle release = ReleaseBundle.parse(value);
        if (!release.modelName().equals(key.modelName()) || !release.version().equals(key.version())) {
            throw new InvalidReleaseException("record key " + key + " names another release than the one it holds, "
                    + ReleaseRecord.keyOf(release));
        }
        return release;
    }

    /** Format 1 records (one key per model, the signature inside the JSON) had no format header. */
    private static void checkFormat(ReleaseRecord record) throws InvalidReleaseException {
        Optional<String> format = record.headerText(ReleaseRecord.HEADER_FORMAT);
        if (format.isEmpty()) {
            boolean formatOne = record.header(ReleaseRecord.HEADER_DIGEST).isPresent() || !hasSeparator(record.key());
            throw new InvalidReleaseException(
                    formatOne
                            ? "format 1 release (or not a release at all): no " + ReleaseRecord.HEADER_FORMAT
                                    + " header; this streamer reads format " + FORMAT
                                    + ": re-publish with this trainer"
                            : "not a release record: no " + ReleaseRecord.HEADER_FORMAT + " header");
        }
        String given = format.get();
        if (given.equals(FORMAT)) {
            return;
        }
        if (given.equals("1")) {
            throw new InvalidReleaseException("format 1 release: re-publish with this trainer (format " + FORMAT + ")");
        }
        throw new InvalidReleaseException("release format '" + UntrustedText.of(given) + "' is not format " + FORMAT
                + ", the one this streamer reads"
                + (given.matches("[0-9]{1,3}") && Integer.parseInt(given) > ReleaseManifest.FORMAT_VERSION
                        ? ": upgrade the streamer"
                        : ""));
    }

    private void checkSignature(ReleaseRecord record) throws InvalidReleaseException {
        Optional<String> keyId = record.headerText(ReleaseRecord.HEADER_KEY_ID);
        Optional<byte[]> signature = record.header(ReleaseRecord.HEADER_SIGNATURE);
        if (keyId.isEmpty() || signature.isEmpty()) {
            throw new InvalidReleaseException("release is not signed (no " + ReleaseRecord.HEADER_SIGNATURE + " and "
                    + ReleaseRecord.HEADER_KEY_ID + " headers); this streamer serves only releases signed with one of "
                    + "the keys " + trusted.keyIds());
        }
        ReleasePublicKey key = trusted.byId(keyId.get())
                .orElseThrow(() -> new InvalidReleaseException("release is signed with key "
                        + UntrustedText.of(keyId.get()) + ", which this streamer does not trust (trusted: "
                        + trusted.keyIds() + ")"));
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(signature.get());
        } catch (IllegalArgumentException e) {
            throw new InvalidReleaseException("the " + ReleaseRecord.HEADER_SIGNATURE + " header is not base64");
        }
        if (bytes.length != ReleaseSigningKey.SIGNATURE_BYTES || !key.verifies(record.value(), bytes)) {
            throw new InvalidReleaseException("signature of key " + key.keyId() + " does not match the release: it "
                    + "was not made with that key, or the release changed after signing");
        }
    }

    private static boolean hasSeparator(String key) {
        return key != null && key.indexOf(ReleaseKey.SEPARATOR) >= 0;
    }

    private static int requirePositive(int maxBytes) {
        if (maxBytes <= 0) {
            throw new IllegalArgumentException("the release size cap must be positive, got " + maxBytes);
        }
        return maxBytes;
    }

    @Override
    public String toString() {
        return (allowUnsigned ? "unsigned releases allowed" : "signed releases only, " + trusted) + ", at most "
                + maxBytes + " bytes";
    }
}
