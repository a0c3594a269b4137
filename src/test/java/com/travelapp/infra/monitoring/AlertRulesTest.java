package com.travelapp.infra.monitoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.pulumi.test.PulumiTest;
import com.travelapp.infra.StackRun;
import com.travelapp.infra.configuration.AppConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * The alert rules the stack ships with Prometheus, and that the files promtool and the live check are
 * given are the ones the stack deploys. (The rules' behaviour is unit-tested by promtool, see
 * tests/monitoring/alerts.test.yml and the monitoring suite, tests/monitoring.)
 */
class AlertRulesTest {
    static final List<String> ALERTS = List.of("BackendDown", "BackendReplicasBelowDesired", "BackendHigh5xxRatio",
            "BackendHighLatencyP95", "PostgreSQLUnreachable", "PodRestartingRepeatedly", "ContainerMemoryNearLimit");

    @AfterEach
    void cleanup() {
        PulumiTest.cleanup();
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> rules(String text) {
        Map<String, Object> parsed = new Yaml().load(text);
        return ((List<Map<String, Object>>) parsed.get("groups")).stream()
                .flatMap(group -> ((List<Map<String, Object>>) group.get("rules")).stream())
                .toList();
    }

    @Test
    void everyAlertHasASeverityASummaryADescriptionAndPointsToItsRunbook() {
        var rules = rules(MonitoringFiles.alertRules("travel-app"));
        assertEquals(ALERTS, rules.stream().map(r -> r.get("alert")).toList());
        for (var rule : rules) {
            var name = (String) rule.get("alert");
            assertFalse(((String) rule.get("expr")).isBlank(), name);
            var severity = ((Map<?, ?>) rule.get("labels")).get("severity");
            assertTrue(List.of("critical", "warning").contains(severity), name + ": severity " + severity);
            var annotations = (Map<?, ?>) rule.get("annotations");
            assertFalse(((String) annotations.get("summary")).isBlank(), name);
            var description = (String) annotations.get("description");
            assertTrue(description.contains("docs/monitoring.md#" + name.toLowerCase()), name + ": " + description);
        }
    }

    @Test
    void theRulesAreRenderedForTheStacksNamespace() {
        var text = MonitoringFiles.alertRules("shop-prod");
        assertFalse(text.contains("${"), "unrendered placeholder left in alerts.yml");
        for (var rule : rules(text)) {
            var expr = (String) rule.get("expr");
            assertTrue(expr.contains("namespace=\"shop-prod\""), rule.get("alert") + " does not select the stack's namespace: " + expr);
        }
    }

    @Test
    void prometheusLoadsTheRulesFileThatSitsBesideItsConfig() {
        Map<String, Object> config = new Yaml().load(MonitoringFiles.prometheusConfig("travel-app", "15s"));
        assertEquals(List.of(MonitoringFiles.ALERT_RULES), config.get("rule_files"));
        assertEquals(List.of(MonitoringFiles.PROMETHEUS_CONFIG, MonitoringFiles.ALERT_RULES),
                List.copyOf(MonitoringFiles.prometheusFiles("travel-app", "15s").keySet()));
    }

    @Test
    void thePrometheusConfigMapHoldsTheRulesRenderedFromTheSettings() {
        var run = StackRun.of(StackRun.settings(Map.of("namespace", "shop")));
        var configMap = run.one("kubernetes:core/v1:ConfigMap", "prometheus-config");
        assertEquals(MonitoringFiles.alertRules("shop"), configMap.string("data", "alerts.yml"));
        assertEquals(MonitoringFiles.prometheusConfig("shop", "15s"), configMap.string("data", "prometheus.yml"));
        // The config checksum on the pod covers the rules too: a rule change rolls Prometheus.
        var checksum = run.one("kubernetes:apps/v1:Deployment", "prometheus")
                .string("spec", "template", "metadata", "annotations", "travel-app/config-checksum");
        assertEquals(AppConfig.sha256(MonitoringFiles.prometheusFiles("shop", "15s")), checksum);
        assertNotEquals(AppConfig.sha256(Map.of(MonitoringFiles.PROMETHEUS_CONFIG, MonitoringFiles.prometheusConfig("shop", "15s"))),
                checksum);
    }

    @Test
    void theLiveCheckFeedsTheKubernetesPodsJobTheBackendPodsRealLabelsAndAnnotations() {
        var template = StackRun.ofDefaults().one("kubernetes:apps/v1:Deployment", "backend").map("spec", "template", "metadata");
        assertEquals(WriteMonitoringFiles.backendPodLabels(), template.get("labels"));
        var annotations = (Map<?, ?>) template.get("annotations");
        WriteMonitoringFiles.backendPodScrapeAnnotations().forEach((key, value) -> assertEquals(value, annotations.get(key), key));
    }

    @Test
    void writeMonitoringFilesWritesExactlyWhatTheStackDeploys(@TempDir Path dir) throws IOException {
        WriteMonitoringFiles.main(new String[] {dir.toString()});
        var run = StackRun.ofDefaults();
        var prometheus = run.one("kubernetes:core/v1:ConfigMap", "prometheus-config");
        assertEquals(prometheus.string("data", "prometheus.yml"), Files.readString(dir.resolve("prometheus/prometheus.yml")));
        assertEquals(prometheus.string("data", "alerts.yml"), Files.readString(dir.resolve("prometheus/alerts.yml")));
        assertEquals(run.one("kubernetes:core/v1:ConfigMap", "grafana-datasources").string("data", "datasources.yaml"),
                Files.readString(dir.resolve("grafana/provisioning/datasources/datasources.yaml")));
        assertEquals(run.one("kubernetes:core/v1:ConfigMap", "grafana-dashboard-providers").string("data", "dashboards.yaml"),
                Files.readString(dir.resolve("grafana/provisioning/dashboards/dashboards.yaml")));
        for (var file : MonitoringFiles.DASHBOARDS) {
            assertEquals(run.one("kubernetes:core/v1:ConfigMap", "grafana-dashboards").string("data", file),
                    Files.readString(dir.resolve("grafana/dashboards").resolve(file)), file);
        }
        assertTrue(Files.readString(dir.resolve("backend-pod.json")).contains("\"namespace\": \"travel-app\""));
    }
}
