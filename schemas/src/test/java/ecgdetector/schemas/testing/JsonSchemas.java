package ecgdetector.schemas.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import ecgdetector.schemas.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Validates JSON against the published schemas in {@code schemas/json}, so tests check records against the same
 * files that the README points people to. Test support only (the schemas module's test-jar): the validator does
 * not ship.
 */
public final class JsonSchemas {

    /** The schema files, by the topic or file they describe. */
    public enum Contract {
        RELEASE_MANIFEST("release-manifest.schema.json"),
        MODEL_RELEASE("model-release.schema.json"),
        HEARTBEAT("heartbeat.schema.json"),
        ALERT("alert.schema.json"),
        SCORE("score.schema.json"),
        ALARM("alarm.schema.json");

        private final String file;

        Contract(String file) {
            this.file = file;
        }

        public String file() {
            return file;
        }
    }

    private static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(
            SpecVersion.VersionFlag.V202012,
            builder -> builder.schemaMappers(mappers ->
                    mappers.mapPrefix("https://ecg-detector.github.io/schemas/", "classpath:ecgdetector/schemas/")));
    private static final Map<Contract, JsonSchema> SCHEMAS = new ConcurrentHashMap<>();

    private JsonSchemas() {}

    /** The violations of {@code json} against the contract; empty when valid. */
    public static List<String> violations(Contract contract, JsonNode json) {
        Set<ValidationMessage> messages = schema(contract).validate(json);
        return messages.stream().map(ValidationMessage::getMessage).sorted().toList();
    }

    public static List<String> violations(Contract contract, byte[] json) {
        try {
            return violations(contract, Json.mapper().readTree(json));
        } catch (IOException e) {
            return List.of("not JSON: " + e.getMessage());
        }
    }

    private static JsonSchema schema(Contract contract) {
        return SCHEMAS.computeIfAbsent(contract, c -> {
            try (InputStream in = JsonSchemas.class.getResourceAsStream("/ecgdetector/schemas/" + c.file())) {
                if (in == null) {
                    throw new IllegalStateException("schema " + c.file() + " is not on the classpath");
                }
                return FACTORY.getSchema(in);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }
}
