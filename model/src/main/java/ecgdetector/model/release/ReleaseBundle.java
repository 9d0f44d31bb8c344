package ecgdetector.model.release;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import ecgdetector.model.scoring.ErrorMetric;
import ecgdetector.schemas.Json;
import ecgdetector.schemas.ReleaseManifest;
import ecgdetector.schemas.ReleaseSignature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * One versioned model release: the manifest (scaler, threshold, error metric, provenance) and the
 * inference-only SavedModel's files. It has two forms with the same content:
 * <ul>
 *   <li>a folder: {@code manifest.json} and {@code saved_model/...}, as the trainer writes it;</li>
 *   <li>one JSON document, {@code {"manifest": ..., "files": {path: base64}}}, the value of an
 *       {@code ecg.models} record (schema {@code schemas/json/model-release.schema.json}).</li>
 * </ul>
 * Every way in ({@link #seal}, {@link #fromBytes}, {@link #readFrom}) verifies the manifest and the digest, once,
 * so a bundle object that exists is one whose bytes are what its manifest says: whoever holds one (the model
 * loader, the streamer's registry) need not check it again.
 *
 * <p>A release may carry a {@link ReleaseSignature} over its digest ({@link #signedWith}): in the wire form as
 * {@code signature} beside the manifest, in the folder form as {@code signature.json}. Whether it must, and
 * with which keys, is the reader's decision ({@link TrustedReleaseKeys}), checked as the record is read
 * ({@link #fromBytes(byte[], TrustedReleaseKeys)}): this class is where a release record is verified.
 */
public final class ReleaseBundle {

    public static final String MANIFEST_FILE = "manifest.json";
    public static final String SAVED_MODEL_DIR = "saved_model";
    public static final String SIGNATURE_FILE = "signature.json";
    private static final int MAX_INPUT_LENGTH = 10_000;

    private final ReleaseManifest manifest;
    private final SortedMap<String, byte[]> modelFiles;
    private final ReleaseSignature signature;

    private ReleaseBundle(ReleaseManifest manifest, SortedMap<String, byte[]> modelFiles, ReleaseSignature signature) {
        this.manifest = manifest;
        this.modelFiles = Collections.unmodifiableSortedMap(modelFiles);
        this.signature = signature;
    }

    /**
     * Seals a new release: lists the SavedModel files with their hashes and computes the digest. The draft's
     * {@code files} and {@code digest} are ignored.
     */
    public static ReleaseBundle seal(ReleaseManifest draft, Path savedModelDir) throws IOException {
        SortedMap<String, byte[]> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(savedModelDir)) {
            for (Path p : (Iterable<Path>) walk.filter(Files::isRegularFile).sorted()::iterator) {
                files.put(savedModelDir.relativize(p).toString().replace('\\', '/'), Files.readAllBytes(p));
            }
        }
        if (files.isEmpty()) {
            throw new IOException("no SavedModel files under " + savedModelDir);
        }
        List<ReleaseManifest.FileEntry> entries = new ArrayList<>();
        files.forEach(
                (path, bytes) -> entries.add(new ReleaseManifest.FileEntry(path, bytes.length, Sha256.hex(bytes))));
        ReleaseManifest withFiles = new ReleaseManifest(
                draft.formatVersion(),
                draft.modelName(),
                draft.version(),
                draft.createdAt(),
                draft.inputLength(),
                draft.serving(),
                draft.scaler(),
                draft.errorMetric(),
                draft.threshold(),
                draft.thresholdPolicy(),
                draft.provenance(),
                entries,
                null);
        ReleaseBundle bundle = new ReleaseBundle(withFiles.withDigest(digestOf(withFiles)), files, null);
        try {
            bundle.verify();
        } catch (InvalidReleaseException e) {
            throw new IllegalArgumentException("the release being sealed is inconsistent: " + e.getMessage(), e);
        }
        return bundle;
    }

    public ReleaseManifest manifest() {
        return manifest;
    }

    public String modelName() {
        return manifest.modelName();
    }

    public String version() {
        return manifest.version();
    }

    /** The signature the release carries, if any; checked as it is read by a reader holding keys. */
    public Optional<ReleaseSignature> signature() {
        return Optional.ofNullable(signature);
    }

    /** This release signed with {@code key}, replacing any signature it had. */
    public ReleaseBundle signedWith(ReleaseSigningKey key) {
        return new ReleaseBundle(manifest, new TreeMap<>(modelFiles), key.sign(manifest.digest()));
    }

    /** SavedModel files by relative path. */
    public SortedMap<String, byte[]> modelFiles() {
        return modelFiles;
    }

    /** The wire form: one JSON document, as published to the models topic. */
    public byte[] toBytes() {
        ObjectNode root = Json.mapper().createObjectNode();
        root.set("manifest", Json.mapper().valueToTree(manifest));
        ObjectNode files = root.putObject("files");
        modelFiles.forEach((path, bytes) -> files.put(path, Base64.getEncoder().encodeToString(bytes)));
        if (signature != null) {
            root.set("signature", Json.mapper().valueToTree(signature));
        }
        try {
            return Json.mapper().writeValueAsBytes(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads and verifies the wire form; a signature, if any, is not looked at. */
    public static ReleaseBundle fromBytes(byte[] bytes) throws InvalidReleaseException {
        return fromBytes(bytes, TrustedReleaseKeys.none());
    }

    /**
     * Reads a release record and verifies all of it: well-formed, every file what the manifest says (the
     * digest), and, if {@code trusted} holds keys, signed with one of them. Anything a crafted record can make the
     * reader throw is a rejection of that record, never an exception that stops the reader (the streamer's global
     * thread reads every release).
     *
     * @throws InvalidReleaseException saying what is wrong
     */
    public static ReleaseBundle fromBytes(byte[] bytes, TrustedReleaseKeys trusted) throws InvalidReleaseException {
        ReleaseBundle bundle;
        try {
            bundle = read(bytes);
        } catch (RuntimeException e) {
            throw new InvalidReleaseException("unreadable release: " + e, e);
        }
        trusted.verify(bundle);
        return bundle;
    }

    private static ReleaseBundle read(byte[] bytes) throws InvalidReleaseException {
        if (bytes == null || bytes.length == 0) {
            throw new InvalidReleaseException("empty release record");
        }
        JsonNode root;
        ReleaseManifest manifest;
        ReleaseSignature signature = null;
        try {
            root = Json.mapper().readTree(bytes);
            if (root == null
                    || !root.isObject()
                    || !root.path("manifest").isObject()
                    || !root.path("files").isObject()) {
                throw new InvalidReleaseException("release is not a JSON object with 'manifest' and 'files'");
            }
            manifest = Json.mapper().treeToValue(root.get("manifest"), ReleaseManifest.class);
            if (root.hasNonNull("signature")) {
                signature = readSignature(root.get("signature"));
            }
        } catch (IOException e) {
            throw new InvalidReleaseException("release is not readable JSON: " + e.getMessage(), e);
        }
        SortedMap<String, byte[]> files = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.get("files").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isTextual()) {
                throw new InvalidReleaseException("file " + e.getKey() + " is not a base64 string");
            }
            try {
                files.put(e.getKey(), Base64.getDecoder().decode(e.getValue().asText()));
            } catch (IllegalArgumentException bad) {
                throw new InvalidReleaseException("file " + e.getKey() + " is not valid base64", bad);
            }
        }
        return verified(new ReleaseBundle(manifest, files, signature));
    }

    /**
     * Verifies a bundle just read. Anything a crafted record can make the checks throw is a rejection of that
     * record, never an exception that stops the reader (the streamer's global thread reads every release).
     */
    private static ReleaseBundle verified(ReleaseBundle bundle) throws InvalidReleaseException {
        try {
            bundle.verify();
        } catch (RuntimeException e) {
            throw new InvalidReleaseException("release is malformed: " + e, e);
        }
        return bundle;
    }

    private static ReleaseSignature readSignature(JsonNode node) throws InvalidReleaseException {
        try {
            return Json.mapper().treeToValue(node, ReleaseSignature.class);
        } catch (IOException | IllegalArgumentException e) {
            throw new InvalidReleaseException(
                    "release signature is not an object with algorithm, keyId and value: " + e.getMessage(), e);
        }
    }

    /** Writes the folder form; the folder must not hold an older release. */
    public void writeTo(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path modelDir = dir.resolve(SAVED_MODEL_DIR);
        for (Map.Entry<String, byte[]> e : modelFiles.entrySet()) {
            Path target = modelDir.resolve(e.getKey()).normalize();
            Files.createDirectories(target.getParent());
            Files.write(target, e.getValue());
        }
        Files.write(
                dir.resolve(MANIFEST_FILE),
                Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(manifest));
        Path signatureFile = dir.resolve(SIGNATURE_FILE);
        if (signature != null) {
            Files.write(
                    signatureFile,
                    Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(signature));
        } else {
            // A signature left from another release would not match this one.
            Files.deleteIfExists(signatureFile);
        }
    }

    /** Reads and verifies the folder form. */
    public static ReleaseBundle readFrom(Path dir) throws IOException, InvalidReleaseException {
        Path manifestFile = dir.resolve(MANIFEST_FILE);
        if (!Files.isRegularFile(manifestFile)) {
            throw new InvalidReleaseException("no " + MANIFEST_FILE + " in " + dir);
        }
        ReleaseManifest manifest;
        try {
            manifest = Json.mapper().readValue(manifestFile.toFile(), ReleaseManifest.class);
        } catch (IOException e) {
            throw new InvalidReleaseException(manifestFile + " is not a readable manifest: " + e.getMessage(), e);
        }
        SortedMap<String, byte[]> files = new TreeMap<>();
        Path modelDir = dir.resolve(SAVED_MODEL_DIR);
        if (manifest == null || manifest.files() == null) {
            throw new InvalidReleaseException(manifestFile + " lists no files");
        }
        for (ReleaseManifest.FileEntry entry : manifest.files()) {
            if (entry == null || entry.path() == null) {
                throw new InvalidReleaseException(manifestFile + " lists a file without a path");
            }
            Path file = modelDir.resolve(entry.path()).normalize();
            if (!file.startsWith(modelDir) || !Files.isRegularFile(file)) {
                throw new InvalidReleaseException("release file " + entry.path() + " is missing from " + modelDir);
            }
            files.put(entry.path(), Files.readAllBytes(file));
        }
        ReleaseSignature signature = null;
        Path signatureFile = dir.resolve(SIGNATURE_FILE);
        if (Files.isRegularFile(signatureFile)) {
            try {
                signature = readSignature(Json.mapper().readTree(signatureFile.toFile()));
            } catch (IOException e) {
                throw new InvalidReleaseException(signatureFile + " is not readable JSON: " + e.getMessage(), e);
            }
        }
        return verified(new ReleaseBundle(manifest, files, signature));
    }

    /**
     * Checks that the manifest is complete and self-consistent and that every file is the one it names.
     * Whether the model actually runs is checked when it is loaded.
     */
    private void verify() throws InvalidReleaseException {
        ReleaseManifest m = manifest;
        if (m.formatVersion() != ReleaseManifest.FORMAT_VERSION) {
            throw new InvalidReleaseException("unknown release format " + m.formatVersion() + " (this reader knows "
                    + ReleaseManifest.FORMAT_VERSION + ")");
        }
        require(
                m.modelName() != null && m.modelName().matches("[A-Za-z0-9._-]{1,100}"),
                "model name missing or invalid");
        require(m.version() != null && !m.version().isBlank(), "version missing");
        require(
                m.inputLength() > 0 && m.inputLength() <= MAX_INPUT_LENGTH,
                "input length " + m.inputLength() + " out of range");
        require(m.serving() != null, "serving signature missing");
        require(m.scaler() != null && m.scaler().min() != null && m.scaler().max() != null, "scaler missing");
        require(
                m.scaler().min().length == m.inputLength() && m.scaler().max().length == m.inputLength(),
                "scaler has " + m.scaler().min().length + " positions, input length is " + m.inputLength());
        try {
            ecgdetector.model.scoring.MinMaxScaler.of(m.scaler());
            ErrorMetric.fromId(String.valueOf(m.errorMetric()));
        } catch (IllegalArgumentException e) {
            throw new InvalidReleaseException(e.getMessage(), e);
        }
        require(
                Double.isFinite(m.threshold()) && m.threshold() >= 0,
                "threshold " + m.threshold() + " is not a finite non-negative number");
        require(m.digest() != null, "digest missing");
        String expected = digestOf(m);
        require(
                expected.equals(m.digest()),
                "digest mismatch: manifest says " + m.digest() + ", content is " + expected);
        require(m.files() != null, "file list missing");
        for (ReleaseManifest.FileEntry entry : m.files()) {
            require(
                    entry != null && entry.path() != null && entry.sha256() != null,
                    "a file entry lacks its path or SHA-256");
        }
        require(
                m.files().size() == modelFiles.size(),
                "manifest lists " + m.files().size() + " files, release carries " + modelFiles.size());
        for (ReleaseManifest.FileEntry entry : m.files()) {
            byte[] bytes = modelFiles.get(entry.path());
            require(bytes != null, "file " + entry.path() + " is listed but missing");
            require(
                    bytes.length == entry.size(),
                    "file " + entry.path() + " has " + bytes.length + " bytes, manifest says " + entry.size());
            require(Sha256.hex(bytes).equals(entry.sha256()), "file " + entry.path() + " does not match its SHA-256");
        }
    }

    /** {@code sha256:<hex>} over the canonical JSON of the manifest without its digest. */
    public static String digestOf(ReleaseManifest manifest) {
        try {
            return "sha256:" + Sha256.hex(Json.canonical().writeValueAsBytes(manifest.withDigest(null)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void require(boolean condition, String problem) throws InvalidReleaseException {
        if (!condition) {
            throw new InvalidReleaseException(problem);
        }
    }

    @Override
    public String toString() {
        return "release " + manifest.modelName() + " " + manifest.version();
    }
}
