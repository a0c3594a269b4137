package com.travelapp.infra.monitoring;

import com.google.gson.GsonBuilder;
import com.travelapp.infra.backend.Backend;
import com.travelapp.infra.settings.ConfigKey;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes the monitoring files exactly as the stack deploys them (same {@link MonitoringFiles} code), so
 * promtool, the live check and Grafana can be given the real thing rather than a hand-kept copy:
 *
 * <pre>
 * mvn -q -ntp compile exec:java -DmainClass=com.travelapp.infra.monitoring.WriteMonitoringFiles \
 *     -DmainArgs="DIR [NAMESPACE [SCRAPE_INTERVAL [PROMETHEUS_URL]]]"
 * </pre>
 *
 * Defaults are the stack's config defaults (README, "Configuration"). Layout under DIR:
 * {@code prometheus/prometheus.yml}, {@code prometheus/alerts.yml} (the prometheus-config ConfigMap),
 * {@code grafana/provisioning/datasources/datasources.yaml},
 * {@code grafana/provisioning/dashboards/dashboards.yaml}, {@code grafana/dashboards/*.json} (Grafana's
 * ConfigMaps), and {@code backend-pod.json}: the labels and annotations the backend pods carry, which the
 * kubernetes-pods job's relabelling reads (so a local check can feed it the same meta labels), and
 * {@code settings.json}: the values used, plus the default Prometheus image (whose promtool checks them).
 */
public final class WriteMonitoringFiles {
    private WriteMonitoringFiles() {}

    public static void main(String[] args) throws IOException {
        if (args.length < 1 || args.length > 4) {
            System.err.println("usage: WriteMonitoringFiles DIR [NAMESPACE [SCRAPE_INTERVAL [PROMETHEUS_URL]]]");
            System.exit(2);
        }
        var dir = Path.of(args[0]);
        var namespace = arg(args, 1, ConfigKey.NAMESPACE.defaultValue());
        var scrapeInterval = arg(args, 2, ConfigKey.SCRAPE_INTERVAL.defaultValue());
        var prometheusUrl = arg(args, 3, "http://prometheus." + namespace + ".svc:" + Prometheus.PORT);

        for (var file : MonitoringFiles.prometheusFiles(namespace, scrapeInterval).entrySet()) {
            write(dir.resolve("prometheus").resolve(file.getKey()), file.getValue());
        }
        write(dir.resolve("grafana/provisioning/datasources/datasources.yaml"),
                MonitoringFiles.grafanaDatasources(prometheusUrl, scrapeInterval));
        write(dir.resolve("grafana/provisioning/dashboards/dashboards.yaml"), MonitoringFiles.grafanaDashboardProviders());
        for (var dashboard : MonitoringFiles.dashboards().entrySet()) {
            write(dir.resolve("grafana/dashboards").resolve(dashboard.getKey()), dashboard.getValue());
        }
        var pod = new LinkedHashMap<String, Object>();
        pod.put("namespace", namespace);
        pod.put("labels", new TreeMap<>(backendPodLabels()));
        pod.put("annotations", new TreeMap<>(backendPodScrapeAnnotations()));
        write(dir.resolve("backend-pod.json"), new GsonBuilder().setPrettyPrinting().create().toJson(pod) + "\n");
        var settings = new LinkedHashMap<String, Object>();
        settings.put("namespace", namespace);
        settings.put("scrapeInterval", scrapeInterval);
        settings.put("prometheusImage", ConfigKey.PROMETHEUS_IMAGE.defaultValue());
        write(dir.resolve("settings.json"), new GsonBuilder().setPrettyPrinting().create().toJson(settings) + "\n");
        System.out.println("monitoring files for namespace " + namespace + " (scrape " + scrapeInterval
                + ") written to " + dir);
    }

    /** The backend pod template's labels: Backend's own. */
    public static Map<String, String> backendPodLabels() {
        return Backend.podLabels();
    }

    /** The backend pod template's prometheus.io annotations: Backend's own. */
    public static Map<String, String> backendPodScrapeAnnotations() {
        return Backend.SCRAPE_ANNOTATIONS;
    }

    private static String arg(String[] args, int index, String fallback) {
        return args.length > index && !args[index].isBlank() ? args[index] : fallback;
    }

    private static void write(Path path, String text) throws IOException {
        Files.createDirectories(path.getParent());
        Files.writeString(path, text, StandardCharsets.UTF_8);
    }
}
