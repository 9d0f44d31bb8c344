package ecgdetector.app.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import ecgdetector.streamer.StreamerTopology;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operations kit checked by the real tools where they can be (promtool checks the Prometheus config and rules
 * and runs their unit tests on synthetic series), and by hand where no tool runs here (Grafana: its dashboard
 * against the essentials of the dashboard schema, and every PromQL expression in it through promtool).
 */
class OpsKitTest {

    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final Path PROMETHEUS_DIR = ROOT.resolve("deploy/prometheus");
    static final Path GRAFANA_DIR = ROOT.resolve("deploy/grafana");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> PANEL_TYPES = Set.of("timeseries", "stat", "gauge", "table", "text", "row");
    /** Grafana's own variables, replaced by a value of their kind before promtool reads an expression. */
    private static final Map<String, String> GRAFANA_VARIABLES =
            Map.of("$__rate_interval", "5m", "$__interval", "1m", "$__range", "1h");

    @Test
    void promtoolAcceptsTheConfigAndTheRulesAndTheirUnitTestsPass() throws Exception {
        assertThat(PrometheusTools.promtool(PROMETHEUS_DIR, "check", "config", "prometheus.yml"))
                .contains("SUCCESS");
        assertThat(PrometheusTools.promtool(PROMETHEUS_DIR, "check", "rules", "rules.yml"))
                .contains("SUCCESS");
        assertThat(PrometheusTools.promtool(PROMETHEUS_DIR, "test", "rules", "rules.test.yml"))
                .contains("SUCCESS");
    }

    @Test
    void everyAlertHasASeverityASummaryAndARunbookSectionInTheOperationsDoc() throws Exception {
        String operations = Files.readString(ROOT.resolve("docs/operations.md"));
        Set<String> anchors = new HashSet<>();
        Matcher heading = Pattern.compile("(?m)^#{2,4} (.+)$").matcher(operations);
        while (heading.find()) {
            anchors.add(anchor(heading.group(1)));
        }
        String tests = Files.readString(PROMETHEUS_DIR.resolve("rules.test.yml"));
        List<JsonNode> alerts = alerts();
        assertThat(alerts).hasSizeGreaterThanOrEqualTo(8);
        for (JsonNode alert : alerts) {
            String name = alert.path("alert").asText();
            assertThat(alert.path("labels").path("severity").asText())
                    .as("severity of %s", name)
                    .isIn("critical", "warning");
            assertThat(alert.path("annotations").path("summary").asText())
                    .as(name)
                    .isNotBlank();
            String runbook = alert.path("annotations").path("runbook").asText();
            assertThat(runbook).as(name).isEqualTo("docs/operations.md#" + name.toLowerCase(Locale.ROOT));
            assertThat(anchors).as("a section %s in docs/operations.md", name).contains(anchor(name));
            assertThat(tests).as("a unit test of %s in rules.test.yml", name).contains("alertname: " + name);
        }
    }

    @Test
    void theInputRateIsTakenAtTheStreamersOwnSourceNode() throws Exception {
        assertThat(Files.readString(PROMETHEUS_DIR.resolve("rules.yml")))
                .contains("processor_node_id=\"" + StreamerTopology.HEARTBEATS_SOURCE + "\"");
    }

    @Test
    void theDashboardHasTheEssentialsOfGrafanasSchema() throws Exception {
        JsonNode dashboard = JSON.readTree(
                GRAFANA_DIR.resolve("dashboards/ecg-detector.json").toFile());
        assertThat(dashboard.path("uid").asText()).matches("[A-Za-z0-9_-]{1,40}");
        assertThat(dashboard.path("title").asText()).isNotBlank();
        assertThat(dashboard.path("schemaVersion").isInt()).isTrue();
        assertThat(dashboard.path("schemaVersion").asInt()).isBetween(36, 41);
        assertThat(dashboard.path("time").path("from").asText()).startsWith("now-");
        assertThat(dashboard.path("time").path("to").asText()).isEqualTo("now");
        assertThat(dashboard.path("templating").path("list").isArray()).isTrue();
        String datasource = datasourceUid();
        Set<Integer> ids = new HashSet<>();
        List<int[]> boxes = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            String title = panel.path("title").asText();
            assertThat(title).isNotBlank();
            assertThat(ids.add(panel.path("id").asInt()))
                    .as("id of %s is unique", title)
                    .isTrue();
            assertThat(panel.path("type").asText()).as(title).isIn(PANEL_TYPES);
            JsonNode grid = panel.path("gridPos");
            int x = grid.path("x").asInt(-1);
            int y = grid.path("y").asInt(-1);
            int w = grid.path("w").asInt(0);
            int h = grid.path("h").asInt(0);
            assertThat(x >= 0 && y >= 0 && w >= 1 && h >= 1 && x + w <= 24)
                    .as("gridPos of %s", title)
                    .isTrue();
            for (int[] b : boxes) {
                boolean overlap = x < b[0] + b[2] && b[0] < x + w && y < b[1] + b[3] && b[1] < y + h;
                assertThat(overlap).as("%s overlaps another panel", title).isFalse();
            }
            boxes.add(new int[] {x, y, w, h});
            assertThat(panel.path("datasource").path("uid").asText()).as(title).isEqualTo(datasource);
            assertThat(panel.path("fieldConfig").path("defaults").isObject())
                    .as(title)
                    .isTrue();
            assertThat(panel.path("targets").size()).as("queries of %s", title).isPositive();
            Set<String> refIds = new HashSet<>();
            for (JsonNode target : panel.path("targets")) {
                assertThat(refIds.add(target.path("refId").asText()))
                        .as("refIds of %s", title)
                        .isTrue();
                assertThat(target.path("expr").asText()).as(title).isNotBlank();
                assertThat(target.path("datasource").path("uid").asText())
                        .as(title)
                        .isEqualTo(datasource);
            }
        }
        assertThat(titles(dashboard))
                .as("throughput, latency, lag, dead letters, alerts, model, JVM")
                .anyMatch(t -> t.contains("Throughput"))
                .anyMatch(t -> t.contains("Latency"))
                .anyMatch(t -> t.contains("lag"))
                .anyMatch(t -> t.contains("Dead letters by reason"))
                .anyMatch(t -> t.contains("Alerts by"))
                .anyMatch(t -> t.contains("Model"))
                .anyMatch(t -> t.contains("JVM"));
    }

    @Test
    void everyExpressionOfTheDashboardIsValidPromql(@TempDir Path tmp) throws Exception {
        JsonNode dashboard = JSON.readTree(
                GRAFANA_DIR.resolve("dashboards/ecg-detector.json").toFile());
        StringBuilder rules = new StringBuilder("groups:\n  - name: dashboard\n    rules:\n");
        int n = 0;
        for (JsonNode panel : dashboard.path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                String expr = target.path("expr").asText();
                for (Map.Entry<String, String> v : GRAFANA_VARIABLES.entrySet()) {
                    expr = expr.replace(v.getKey(), v.getValue());
                }
                assertThat(expr)
                        .as("a Grafana variable promtool would not know")
                        .doesNotContain("$");
                rules.append("      - record: dashboard:panel")
                        .append(panel.path("id").asInt())
                        .append('_')
                        .append(target.path("refId").asText())
                        .append("\n        expr: ")
                        .append(JSON.writeValueAsString(expr))
                        .append('\n');
                n++;
            }
        }
        Files.writeString(tmp.resolve("dashboard-rules.yml"), rules);
        assertThat(PrometheusTools.promtool(tmp, "check", "rules", "dashboard-rules.yml"))
                .contains("SUCCESS: " + n + " rules found");
    }

    @Test
    void grafanaIsProvisionedWithThePrometheusOfTheComposeFileAndTheDashboardFolder() throws Exception {
        JsonNode ds = YAML.readTree(
                GRAFANA_DIR.resolve("provisioning/datasources/prometheus.yml").toFile());
        assertThat(ds.path("apiVersion").asInt()).isEqualTo(1);
        JsonNode source = ds.path("datasources").get(0);
        assertThat(source.path("type").asText()).isEqualTo("prometheus");
        assertThat(source.path("url").asText()).isEqualTo("http://prometheus:9090");
        JsonNode providers = YAML.readTree(
                GRAFANA_DIR.resolve("provisioning/dashboards/ecg-detector.yml").toFile());
        assertThat(providers.path("apiVersion").asInt()).isEqualTo(1);
        String path =
                providers.path("providers").get(0).path("options").path("path").asText();
        JsonNode compose = YAML.readTree(ROOT.resolve("docker-compose.yml").toFile());
        List<String> volumes = new ArrayList<>();
        compose.path("services").path("grafana").path("volumes").forEach(v -> volumes.add(v.asText()));
        assertThat(volumes)
                .contains(
                        "./deploy/grafana/provisioning:/etc/grafana/provisioning:ro",
                        "./deploy/grafana/dashboards:" + path + ":ro");
    }

    private static String datasourceUid() throws Exception {
        return YAML.readTree(GRAFANA_DIR
                        .resolve("provisioning/datasources/prometheus.yml")
                        .toFile())
                .path("datasources")
                .get(0)
                .path("uid")
                .asText();
    }

    private static List<String> titles(JsonNode dashboard) {
        List<String> titles = new ArrayList<>();
        dashboard.path("panels").forEach(p -> titles.add(p.path("title").asText()));
        return titles;
    }

    static List<JsonNode> alerts() throws Exception {
        List<JsonNode> alerts = new ArrayList<>();
        for (JsonNode group :
                YAML.readTree(PROMETHEUS_DIR.resolve("rules.yml").toFile()).path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                if (rule.has("alert")) {
                    alerts.add(rule);
                }
            }
        }
        return alerts;
    }

    /** A heading's anchor as GitHub makes it: lower case, spaces to hyphens, punctuation dropped. */
    private static String anchor(String heading) {
        return heading.strip()
                .toLowerCase(Locale.ROOT)
                .replaceAll("[^a-z0-9 _-]", "")
                .replace(' ', '-');
    }
}
