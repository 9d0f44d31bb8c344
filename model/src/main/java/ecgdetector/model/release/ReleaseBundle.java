package ecgdetector.model.release;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ObjectNode;
import ecgdetector.model.scoring.ErrorMetric;
import ecgdetector.schemas.Json;
import ecgdetector.schemas.ReleaseKey;
import ecgdetector.schemas.ReleaseManifest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * One versioned model release: the manifest (scaler, scoring rule, provenance) and the inference-only SavedModel's
 * files. It has two forms with the same content:
 * <ul>
 *   <li>a folder: {@code manifest.json} and {@code saved_model/...}, as the trainer writes it;</li>
 *   <li>one JSON document, {@code {"manifest": ..., "files": {path: base64}}}, the value of an {@code ecg.models}
 *       record (schema {@code schemas/json/model-release.schema.json}), as {@link ReleaseRecord} sends it.</li>
 * </ul>
 * Every way in ({@link #seal}, {@link #parse}, {@link #readFrom}) verifies the manifest and the digest, once, so a
 * bundle object that exists is one whose bytes are what its manifest says: whoever holds one (the model loader, the
 * streamer's registry) need not check it again. Whether a record's bytes may be read at all (their size, format and
 * signature) is {@link ReleaseVerifier}'s to decide, before {@link #parse}.
 */
public final class ReleaseBundle {

    public static final String MANIFEST_FILE = "manifest.json";
    public static final String SAVED_MODEL_DIR = "saved_model";
    private static final int MAX_INPUT_LENGTH = 10_000;
    /** The wire form nests four levels deep (the scaler's arrays, provenance's recipe); a few more are allowed. */
    private static final int MAX_NESTING = 12;

    /** The wire form as it is bound: nothing else is accepted, and no tree of it is ever built. */
    private record WireForm(ReleaseManifest manifest, Map<String, String> files) {}

    private static final ObjectReader WIRE_READER = wireReader();

    private final ReleaseManifest manifest;
    private final SortedMap<String, byte[]> modelFiles;

    private ReleaseBundle(ReleaseManifest manifest, SortedMap<String, byte[]> modelFiles) {
        this.manifest = manifest;
        this.modelFiles = Collections.unmodifiableSortedMap(modelFiles);
    }

    private static ObjectReader wireReader() {
        ObjectMapper mapper = Json.mapper().copy();
        mapper.getFactory()
                .setStreamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(MAX_NESTING)
                        .maxStringLength(ecgdetector.schemas.EcgTopic.MODELS_MAX_MESSAGE_BYTES)
                        .build());
        return mapper.readerFor(WireForm.class)
                .with(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .with(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .with(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
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
        ReleaseManifest withFiles = draft.withFiles(entries).withDigest(null);
        ReleaseBundle bundle = new ReleaseBundle(withFiles.withDigest(digestOf(withFiles)), files);
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

    /** Its record key on the models topic, {@code modelName/version}. */
    public ReleaseKey key() {
        return new ReleaseKey(manifest.modelName(), manifest.version());
    }

    /** SavedModel files by relative path. */
    public SortedMap<String, byte[]> modelFiles() {
        return modelFiles;
    }

    /** The wire form: one JSON document, the value of its record on the models topic. Same release, same bytes. */
    public byte[] toBytes() {
        ObjectNode root = Json.mapper().createObjectNode();
        root.set("manifest", Json.mapper().valueToTree(manifest));
        ObjectNode files = root.putObject("files");
        modelFiles.forEach((path, bytes) -> files.put(path, Base64.getEncoder().encodeToString(bytes)));
        try {
            return Json.mapper().writeValueAsBytes(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Reads the wire form and verifies its content: well-formed, every file what the manifest says (the digest).
     * Bound straight to the release's types with limits on nesting and size and no unknown or repeated field, so no
     * document, however crafted, becomes a large tree in memory. Whether the bytes may be read at all (size, format,
     * signature) is decided before, by {@link ReleaseVerifier}. Anything a crafted document can make the reader
     * throw is a rejection, never an exception that stops the reader (the streamer's global thread reads releases).
     *
     * @throws InvalidReleaseException saying what is wrong
     */
    public static ReleaseBundle parse(byte[] bytes) throws InvalidReleaseException {
        if (bytes == null || bytes.length == 0) {
            throw new InvalidReleaseException("empty release record");
        }
        WireForm wire;
        try {
            wire = WIRE_READER.readValue(bytes);
        } catch (IOException e) {
            throw new InvalidReleaseException(
                    "release is not readable JSON of release format " + ReleaseManifest.FORMAT_VERSION + ": "
                            + firstLine(e.getMessage()),
                    e);
        } catch (RuntimeException e) {
            throw new InvalidReleaseException("unreadable release: " + e, e);
        }
        if (wire == null || wire.manifest() == null || wire.files() == null) {
            throw new InvalidReleaseException("release is not a JSON object with 'manifest' and 'files'");
        }
        SortedMap<String, byte[]> files = new TreeMap<>();
        for (Map.Entry<String, String> e : wire.files().entrySet()) {
            if (e.getValue() == null) {
                throw new InvalidReleaseException(
                        "file " + ecgdetector.model.input.UntrustedText.of(e.getKey()) + " is not a base64 string");
            }
            try {
                files.put(e.getKey(), Base64.getDecoder().decode(e.getValue()));
            } catch (IllegalArgumentException bad) {
                throw new InvalidReleaseException(
                        "file " + ecgdetector.model.input.UntrustedText.of(e.getKey()) + " is not valid base64", bad);
            }
        }
        return verified(new ReleaseBundle(wire.manifest(), files));
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
        return verified(new ReleaseBundle(manifest, files));
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
        require(ecgdetector.schemas.ModelName.isValid(m.modelName()), "model name missing or invalid");
        require(ReleaseKey.isValidVersion(m.version()), "version missing or not " + ReleaseKey.VERSION_RULE);
        require(
                m.inputLength() > 0 && m.inputLength() <= MAX_INPUT_LENGTH,
                "input length " + m.inputLength() + " out of range");
        require(m.serving() != null, "serving signature missing");
        require(m.scaler() != null && m.scaler().min() != null && m.scaler().max() != null, "scaler missing");
        require(
                m.scaler().min().length == m.inputLength() && m.scaler().max().length == m.inputLength(),
                "scaler has " + m.scaler().min().length + " positions, input length is " + m.inputLength());
        require(m.scoring() != null && m.scoring().metric() != null, "scoring rule missing");
        try {
            ecgdetector.model.scoring.MinMaxScaler.of(m.scaler());
            ErrorMetric.fromId(m.scoring().metric());
        } catch (IllegalArgumentException e) {
            throw new InvalidReleaseException(e.getMessage(), e);
        }
        require(
                m.scoring().parameters().isEmpty(),
                "metric " + m.scoring().metric() + " takes no parameters, the release gives "
                        + m.scoring().parameters().keySet() + ": a release for a newer streamer?");
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

    private static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int end = message.indexOf('\n');
        return ecgdetector.model.input.UntrustedText.of(end < 0 ? message : message.substring(0, end));
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
