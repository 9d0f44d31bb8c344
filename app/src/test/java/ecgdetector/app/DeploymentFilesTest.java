package ecgdetector.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import ecgdetector.schemas.EcgTopic;
import ecgdetector.schemas.TopicNames;
import ecgdetector.streamer.config.StreamerConfig;
import ecgdetector.trainer.data.DataSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * No Docker engine runs in CI, so docker-compose.yml, the Dockerfile and the Prometheus config are
 * checked against the code instead: names, topics, ports, variables and health checks must agree.
 */
class DeploymentFilesTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static JsonNode compose;

    @BeforeAll
    static void parse() throws Exception {
        compose = new ObjectMapper(new YAMLFactory())
                .readTree(ROOT.resolve("docker-compose.yml").toFile());
    }

    private static JsonNode service(String name) {
        JsonNode service = compose.path("services").path(name);
        assertThat(service.isMissingNode())
                .as("service %s in docker-compose.yml", name)
                .isFalse();
        return service;
    }

    private static Map<String, String> environment(String service) {
        Map<String, String> env = new HashMap<>();
        service(service)
                .path("environment")
                .fields()
                .forEachRemaining(e -> env.put(e.getKey(), e.getValue().asText()));
        return env;
    }

    @Test
    void theServicesAreAllThere() {
        List<String> names = compose.path("services").properties().stream()
                .map(Map.Entry::getKey)
                .toList();
        assertThat(names).containsExactlyInAnyOrder("kafka", "topics", "trainer", "streamer", "prometheus");
    }

    @Test
    void kafkaIsTheOfficialImageOfTheVersionTheCodeIsBuiltAgainst() throws Exception {
        Matcher version = Pattern.compile("<kafka.version>([^<]+)</kafka.version>")
                .matcher(Files.readString(ROOT.resolve("pom.xml")));
        assertThat(version.find()).isTrue();
        assertThat(service("kafka").path("image").asText()).isEqualTo("apache/kafka:" + version.group(1));
        assertThat(service("topics").path("image").asText()).isEqualTo("apache/kafka:" + version.group(1));
        assertThat(environment("kafka")).containsEntry("KAFKA_PROCESS_ROLES", "broker,controller");
    }

    @Test
    void theTopicsJobCreatesExactlyTheContractsTopicsWithTheirPartitionsAndConfigs() {
        Map<String, CreatedTopic> created =
                createdTopics(service("topics").path("command").get(0).asText());

        assertThat(created.keySet())
                .containsExactlyInAnyOrderElementsOf(TopicNames.defaults().names());
        for (EcgTopic topic : EcgTopic.values()) {
            CreatedTopic t = created.get(topic.defaultName());
            assertThat(t.partitions())
                    .as("partitions of %s", topic.defaultName())
                    .isEqualTo(topic.partitions(EcgTopic.DEFAULT_PARTITIONS));
            assertThat(t.configs()).as("configs of %s", topic.defaultName()).isEqualTo(topic.configs());
        }
        assertThat(environment("kafka"))
                .containsEntry("KAFKA_MESSAGE_MAX_BYTES", String.valueOf(EcgTopic.MODELS_MAX_MESSAGE_BYTES));
        assertThat(service("trainer")
                        .path("depends_on")
                        .path("topics")
                        .path("condition")
                        .asText())
                .isEqualTo("service_completed_successfully");
    }

    /** A topic as the compose file's kafka-topics.sh calls create it. */
    record CreatedTopic(int partitions, Map<String, String> configs) {}

    /**
     * The topics a shell script of {@code kafka-topics.sh --create} calls creates, {@code for topic in a b;
     * do ... --topic $topic ...; done} loops included.
     */
    private static Map<String, CreatedTopic> createdTopics(String script) {
        Matcher loop = Pattern.compile("for topic in ([^;]+); do\\n(.*?)\\n\\s*done", Pattern.DOTALL)
                .matcher(script);
        StringBuilder expanded = new StringBuilder();
        while (loop.find()) {
            String body = loop.group(2);
            StringBuilder lines = new StringBuilder();
            for (String topic : loop.group(1).trim().split("\\s+")) {
                lines.append(body.replace("$topic", topic)).append('\n');
            }
            loop.appendReplacement(expanded, Matcher.quoteReplacement(lines.toString()));
        }
        loop.appendTail(expanded);
        Map<String, CreatedTopic> created = new HashMap<>();
        for (String line : expanded.toString().split("\\n")) {
            if (!line.contains("--create")) {
                continue;
            }
            Matcher name = Pattern.compile("--topic (\\S+)").matcher(line);
            Matcher partitions = Pattern.compile("--partitions (\\d+)").matcher(line);
            assertThat(name.find() && partitions.find()).as(line).isTrue();
            Map<String, String> configs = new HashMap<>();
            Matcher config = Pattern.compile("--config ([^=\\s]+)=(\\S+)").matcher(line);
            while (config.find()) {
                configs.put(config.group(1), config.group(2));
            }
            created.put(name.group(1), new CreatedTopic(Integer.parseInt(partitions.group(1)), configs));
        }
        return created;
    }

    @Test
    void theJobsRunCommandsThatExistWithVariablesTheCodeReads() {
        assertThat(Main.commandLine().getSubcommands())
                .containsKeys(
                        service("trainer").path("command").get(0).asText(),
                        service("streamer").path("command").get(0).asText());

        Map<String, String> trainer = environment("trainer");
        assertThat(trainer.keySet()).containsExactlyInAnyOrder("ECG_BOOTSTRAP_SERVERS", DataSource.ENV);

        Map<String, String> streamer = environment("streamer");
        for (String variable : streamer.keySet()) {
            assertThat(StreamerConfig.fromEnvironment(Map.of(variable, streamer.get(variable))))
                    .as("the streamer reads %s", variable)
                    .isNotEmpty();
        }
        StreamerConfig config = StreamerConfig.fromMap(StreamerConfig.fromEnvironment(streamer));
        assertThat(config.kafka()).containsEntry("bootstrap.servers", "kafka:9092");
    }

    @Test
    void portsHealthCheckAndScrapeTargetAgreeWithTheStreamersHttpServer() throws Exception {
        int port = Integer.parseInt(environment("streamer").get(StreamerConfig.Setting.HTTP_PORT.envName()));
        assertThat(service("streamer").path("ports").get(0).asText()).endsWith(":" + port);
        String health = String.join(
                " ", iterable(service("streamer").path("healthcheck").path("test")));
        assertThat(health).contains("http://localhost:" + port + "/health/ready");

        JsonNode prometheus = new ObjectMapper(new YAMLFactory())
                .readTree(ROOT.resolve("deploy/prometheus.yml").toFile());
        JsonNode job = prometheus.path("scrape_configs").get(0);
        assertThat(job.path("metrics_path").asText()).isEqualTo("/metrics");
        assertThat(job.path("static_configs").get(0).path("targets").get(0).asText())
                .isEqualTo("streamer:" + port);
        assertThat(service("prometheus").path("volumes").get(0).asText()).startsWith("./deploy/prometheus.yml:");
    }

    @Test
    void theImageStartsTheCommandLine() throws Exception {
        String dockerfile = Files.readString(ROOT.resolve("Dockerfile"));
        assertThat(dockerfile).contains("\"" + Main.class.getName() + "\"");
        assertThat(dockerfile).contains("app/target/ecg-app.jar", "app/target/lib/");
        assertThat(service("trainer").path("build").asText()).isEqualTo(".");
    }

    private static List<String> iterable(JsonNode array) {
        List<String> out = new java.util.ArrayList<>();
        for (Iterator<JsonNode> it = array.elements(); it.hasNext(); ) {
            out.add(it.next().asText());
        }
        return out;
    }
}
