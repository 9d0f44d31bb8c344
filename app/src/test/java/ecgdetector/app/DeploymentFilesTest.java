package ecgdetector.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import ecgdetector.broker.BrokerSetting;
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
        assertThat(names)
                .containsExactlyInAnyOrder(
                        "kafka", "topics", "keys", "trainer", "streamer", "view", "prometheus", "grafana");
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
    void kafkaRunsWithTheBrokerSettingsTheStreamersFailoverNeeds() {
        Map<String, String> kafka = environment("kafka");
        for (BrokerSetting setting : BrokerSetting.values()) {
            if (setting.scope() == BrokerSetting.Scope.ANY) {
                assertThat(kafka).as(setting.key()).containsEntry(setting.imageEnvName(), setting.value());
            }
        }
    }

    @Test
    void theJobsRunCommandsThatExistWithVariablesTheCodeReads() {
        assertThat(Main.commandLine().getSubcommands())
                .containsKeys(
                        service("trainer").path("command").get(0).asText(),
                        service("streamer").path("command").get(0).asText(),
                        service("view").path("command").get(0).asText());

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

    /**
     * The keys job writes the pair once; the trainer signs with the private key from its volume; the streamer is
     * given the public key alone, on a volume of its own, and never sees the private one.
     */
    @Test
    void theTrainerSignsWithTheKeysJobsPrivateKeyAndTheStreamerHoldsOnlyThePublicKey() {
        List<String> keys = iterable(service("keys").path("command"));
        assertThat(Main.commandLine().getSubcommands()).containsKey(keys.get(0));
        String privateKey = keys.get(keys.indexOf("--private-key") + 1);
        String publicKey = keys.get(keys.indexOf("--public-key") + 1);
        String signingVolume = volumeAt(service("keys"), parent(privateKey));
        String publicVolume = volumeAt(service("keys"), parent(publicKey));
        assertThat(signingVolume).isNotEqualTo(publicVolume);
        assertThat(compose.path("volumes").has(signingVolume)
                        && compose.path("volumes").has(publicVolume))
                .isTrue();

        List<String> trainer = iterable(service("trainer").path("command"));
        assertThat(trainer.get(trainer.indexOf("--signing-key-file") + 1)).isEqualTo(privateKey);
        assertThat(volumeAt(service("trainer"), parent(privateKey))).isEqualTo(signingVolume);

        // The view runs a release's graph as the streamer does, so it trusts the same key, by the same variable.
        for (String reader : List.of("streamer", "view")) {
            assertThat(environment(reader))
                    .containsEntry(StreamerConfig.Setting.RELEASE_PUBLIC_KEYS.envName(), publicKey);
            assertThat(volumeAt(service(reader), parent(publicKey))).isEqualTo(publicVolume);
            assertThat(iterable(service(reader).path("volumes")))
                    .as("the %s mounts no private key", reader)
                    .noneMatch(v -> v.startsWith(signingVolume + ":"))
                    .allMatch(v -> v.endsWith(":ro"));
        }
        for (String service : List.of("trainer", "streamer", "view")) {
            assertThat(service(service)
                            .path("depends_on")
                            .path("keys")
                            .path("condition")
                            .asText())
                    .as("%s waits for the keys", service)
                    .isEqualTo("service_completed_successfully");
        }
    }

    /** The volume a service mounts at {@code folder}, by name. */
    private static String volumeAt(JsonNode service, String folder) {
        return iterable(service.path("volumes")).stream()
                .map(v -> v.split(":"))
                .filter(v -> v[1].equals(folder))
                .map(v -> v[0])
                .findFirst()
                .orElseThrow(() -> new AssertionError("no volume at " + folder + " in " + service));
    }

    private static String parent(String file) {
        return file.substring(0, file.lastIndexOf('/'));
    }

    @Test
    void portsHealthCheckAndScrapeTargetAgreeWithTheStreamersHttpServer() throws Exception {
        int port = Integer.parseInt(environment("streamer").get(StreamerConfig.Setting.HTTP_PORT.envName()));
        assertThat(service("streamer").path("ports").get(0).asText()).endsWith(":" + port);
        String health = String.join(
                " ", iterable(service("streamer").path("healthcheck").path("test")));
        assertThat(health).contains("http://localhost:" + port + "/health/ready");
        assertThat(scrapeJob("ecg-streamer")
                        .path("static_configs")
                        .get(0)
                        .path("targets")
                        .get(0)
                        .asText())
                .isEqualTo("streamer:" + port);
    }

    @Test
    void theWardViewIsServedScrapedAndHealthCheckedOnThePortItIsGiven() throws Exception {
        List<String> command = iterable(service("view").path("command"));
        ViewCommand view = new ViewCommand();
        new picocli.CommandLine(view)
                .parseArgs(command.subList(1, command.size()).toArray(String[]::new));
        assertThat(view.host).as("inside its container").isEqualTo("0.0.0.0");
        assertThat(service("view").path("ports").get(0).asText())
                .as("published on the host's loopback only")
                .isEqualTo("127.0.0.1:" + view.port + ":" + view.port);
        assertThat(String.join(" ", iterable(service("view").path("healthcheck").path("test"))))
                .contains("http://localhost:" + view.port + "/health");
        assertThat(environment("view"))
                .containsOnlyKeys("ECG_BOOTSTRAP_SERVERS", StreamerConfig.Setting.RELEASE_PUBLIC_KEYS.envName());
        assertThat(scrapeJob("ecg-view")
                        .path("static_configs")
                        .get(0)
                        .path("targets")
                        .get(0)
                        .asText())
                .isEqualTo("view:" + view.port);
    }

    @Test
    void prometheusGetsItsConfigAndTheAlertRulesFromDeploy() throws Exception {
        assertThat(iterable(service("prometheus").path("volumes")))
                .containsExactly("./deploy/prometheus:/etc/prometheus:ro");
        JsonNode config = prometheusConfig();
        assertThat(iterable(config.path("rule_files"))).containsExactly("rules.yml");
        assertThat(ROOT.resolve("deploy/prometheus/rules.yml")).isRegularFile();
        assertThat(service("prometheus").path("image").asText()).startsWith("prom/prometheus:v");
    }

    private static JsonNode prometheusConfig() throws Exception {
        return new ObjectMapper(new YAMLFactory())
                .readTree(ROOT.resolve("deploy/prometheus/prometheus.yml").toFile());
    }

    private static JsonNode scrapeJob(String name) throws Exception {
        for (JsonNode job : prometheusConfig().path("scrape_configs")) {
            if (job.path("job_name").asText().equals(name)) {
                assertThat(job.path("metrics_path").asText()).isEqualTo("/metrics");
                return job;
            }
        }
        throw new AssertionError("no scrape job " + name + " in deploy/prometheus/prometheus.yml");
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
