package com.travelapp.infra.monitoring;

import com.travelapp.infra.kube.JarFiles;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The files Prometheus and Grafana are given, kept as resources under {@code monitoring/} and
 * rendered here: the stack deploys exactly what the tests (and promtool) check.
 */
public final class MonitoringFiles {
    public static final String DATASOURCE_UID = "prometheus";
    public static final String PROMETHEUS_CONFIG = "prometheus.yml";
    public static final String ALERT_RULES = "alerts.yml";
    public static final List<String> DASHBOARDS = List.of("cpu-memory.json", "network.json", "requests.json");

    private MonitoringFiles() {}

    public static String prometheusConfig(String namespace, String scrapeInterval) {
        return resource("prometheus.yml")
                .replace("${SCRAPE_INTERVAL}", scrapeInterval)
                .replace("${NAMESPACE}", namespace);
    }

    /** The alert rules, loaded by prometheus.yml's {@code rule_files}. */
    public static String alertRules(String namespace) {
        return resource("alerts.yml").replace("${NAMESPACE}", namespace);
    }

    /** What the Prometheus ConfigMap holds: file name to content, both files rendered from the same settings. */
    public static Map<String, String> prometheusFiles(String namespace, String scrapeInterval) {
        var files = new LinkedHashMap<String, String>();
        files.put(PROMETHEUS_CONFIG, prometheusConfig(namespace, scrapeInterval));
        files.put(ALERT_RULES, alertRules(namespace));
        return files;
    }

    public static String grafanaDatasources(String prometheusUrl, String scrapeInterval) {
        return resource("grafana-datasources.yaml")
                .replace("${PROMETHEUS_URL}", prometheusUrl)
                .replace("${SCRAPE_INTERVAL}", scrapeInterval);
    }

    public static String grafanaDashboardProviders() {
        return resource("grafana-dashboard-providers.yaml");
    }

    /** File name to dashboard JSON, in a stable order. */
    public static Map<String, String> dashboards() {
        var dashboards = new LinkedHashMap<String, String>();
        DASHBOARDS.forEach(file -> dashboards.put(file, resource("dashboards/" + file)));
        return dashboards;
    }

    private static String resource(String path) {
        return JarFiles.text("monitoring/" + path);
    }
}
