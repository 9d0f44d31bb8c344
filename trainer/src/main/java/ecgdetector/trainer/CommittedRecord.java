package ecgdetector.trainer;

import com.fasterxml.jackson.databind.DeserializationFeature;
import ecgdetector.schemas.Json;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.ToIntFunction;

/**
 * A record of a choice, committed in the trainer's resources, that a default of the code is the choice of (the
 * recipe's {@link SelectionRecord}, the alarm rules' {@code AlarmSelectionRecord}): read strictly, so a field
 * the code no longer knows is an error rather than a silently different record, and only in the format this
 * code reads.
 *
 * @param <T> the record's type
 */
public final class CommittedRecord<T> {

    private final Class<T> type;
    private final String resource;
    private final ToIntFunction<T> formatOf;
    private final int format;

    /**
     * @param resource where the committed record sits on the class path
     * @param formatOf the format a record read says it is in
     * @param format the format this code reads
     */
    public CommittedRecord(Class<T> type, String resource, ToIntFunction<T> formatOf, int format) {
        this.type = type;
        this.resource = resource;
        this.formatOf = formatOf;
        this.format = format;
    }

    public String resource() {
        return resource;
    }

    /** The committed record; an error that names the resource if it is missing or does not read. */
    public T committed() {
        try (InputStream in = CommittedRecord.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("the committed record " + resource + " is missing");
            }
            return read(in);
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalStateException(
                    "the committed record " + resource + " does not read: " + e.getMessage(), e);
        }
    }

    public T read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return read(in);
        }
    }

    private T read(InputStream in) throws IOException {
        T record = Json.mapper()
                .readerFor(type)
                .with(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .readValue(in);
        int found = formatOf.applyAsInt(record);
        if (found != format) {
            throw new IllegalArgumentException(
                    type.getSimpleName() + " format " + found + ", this trainer reads format " + format);
        }
        return record;
    }

    /** {@code record} as the committed file holds it: pretty-printed JSON. */
    public void write(T record, Path file) throws IOException {
        Files.write(file, Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(record));
    }
}
