package com.travelapp.infra.settings;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Every stack config key the program reads, with its default and what it allows. Pulumi.yaml's
 * {@code config:} block and the README's config table are checked against this list by a test, so
 * the three cannot drift apart.
 */
public enum ConfigKey {
    NAMESPACE("namespace", "travel-app", "a DNS label: lower-case letters, digits and '-', at most 63 characters; 'default' uses the existing namespace"),
    FRONTEND_REPLICAS("frontendReplicas", "2", "an integer from 1 to 100"),
    BACKEND_REPLICAS("backendReplicas", "2", "an integer from 1 to 100"),
    FRONTEND_AUTOSCALING("frontendAutoscaling", "an object: " + autoscalingFields("frontend")),
    BACKEND_AUTOSCALING("backendAutoscaling", "an object: " + autoscalingFields("backend")),
    FRONTEND_IMAGE("frontendImage", "travel-app/frontend:0.1.0", "an image reference with a tag or digest, not ':latest'"),
    BACKEND_IMAGE("backendImage", "travel-app/backend:0.1.0", "an image reference with a tag or digest, not ':latest'"),
    DATABASE_IMAGE("databaseImage", "postgres:17.2-alpine3.21", "an image reference with a tag or digest, not ':latest'"),
    PROMETHEUS_IMAGE("prometheusImage", "prom/prometheus:v3.1.0", "an image reference with a tag or digest, not ':latest'"),
    GRAFANA_IMAGE("grafanaImage", "grafana/grafana:11.4.0", "an image reference with a tag or digest, not ':latest'"),
    IMAGE_PULL_POLICY("imagePullPolicy", "IfNotPresent", "IfNotPresent, Always or Never"),
    FRONTEND_SERVICE_TYPE("frontendServiceType", "LoadBalancer", "LoadBalancer, NodePort or ClusterIP"),
    FRONTEND_NODE_PORT("frontendNodePort", null, "an integer from 30000 to 32767, only with LoadBalancer or NodePort; unset lets Kubernetes pick"),
    LOAD_BALANCER_AVAILABLE("loadBalancerAvailable", "true", "true or false; false on kind/minikube so 'pulumi up' does not wait for an address"),
    NODE_ADDRESS("nodeAddress", "localhost", "a host name or IP address under which node ports are reachable"),
    PROMETHEUS_NODE_PORT("prometheusNodePort", "30090", "an integer from 30000 to 32767, different from the other node ports"),
    GRAFANA_NODE_PORT("grafanaNodePort", "30300", "an integer from 30000 to 32767, different from the other node ports"),
    SCRAPE_INTERVAL("scrapeInterval", "15s", "a duration from 5s to 5m, such as 15s, 30s or 1m"),
    GRAFANA_ENABLED("grafanaEnabled", "true", "true or false; false leaves Grafana out entirely (no Deployment, Service, admin Secret or password)"),
    GRAFANA_ADMIN_USER("grafanaAdminUser", "admin", "1 to 64 letters, digits, '.', '_' or '-'"),
    DATABASE_NAME("databaseName", "travel", "a PostgreSQL identifier: a lower-case letter or '_' then lower-case letters, digits or '_', at most 63"),
    DATABASE_USER("databaseUser", "travel", "a PostgreSQL identifier: a lower-case letter or '_' then lower-case letters, digits or '_', at most 63"),
    DATABASE_STORAGE_SIZE("databaseStorageSize", "2Gi", "a whole number with Mi, Gi or Ti (e.g. 2Gi), at least 256Mi"),
    DATABASE_STORAGE_CLASS("databaseStorageClass", null, "a StorageClass name; unset uses the cluster's default class"),
    BACKUP_ENABLED("backupEnabled", "true", "true or false; false leaves the scheduled database backup out (no CronJob, no backup volume)"),
    BACKUP_SCHEDULE("backupSchedule", "0 2 * * *", "a cron schedule in UTC: 5 fields (minute hour day-of-month month day-of-week, e.g. 0 2 * * *) or @hourly, @daily, @weekly, @monthly, @yearly"),
    BACKUP_RETENTION("backupRetention", "7", "an integer from 1 to 365: how many of the newest backups the backup volume keeps"),
    BACKUP_STORAGE_SIZE("backupStorageSize", "2Gi", "a whole number with Mi, Gi or Ti (e.g. 2Gi), at least 64Mi"),
    BACKUP_STORAGE_CLASS("backupStorageClass", null, "a StorageClass name; unset uses the cluster's default class"),
    ALLOWED_HOSTS("allowedHosts", null, "comma-separated extra host names for Django's ALLOWED_HOSTS (the backend Service's names are always allowed)"),
    API_SERVER_ENDPOINTS("apiServerEndpoints", null, "comma-separated ADDRESS:PORT of the Kubernetes API server (192.0.2.10:6443, [fd00::1]:443), where Prometheus's egress rule lets it connect; unset: read from the EndpointSlice default/kubernetes at each preview and update"),
    EXTRA_EGRESS("extraEgress", null, "a list of {cidr, ports, from}: cidr an IPv4 or IPv6 CIDR (10.0.0.25/32), ports a non-empty list of PORT or PORT/PROTOCOL (587, 53/UDP; TCP, UDP or SCTP), from the workloads it is for (frontend, backend, migrations, database, backup, prometheus, grafana; unset: all); egress beyond the stack's own flows, e.g. an SMTP relay"),
    RESOURCES("resources", "an object: resources.<frontend|backend|migrations|database|backup|prometheus|grafana>.<cpuRequest|memoryRequest|cpuLimit|memoryLimit|ephemeralStorageRequest|ephemeralStorageLimit> = a Kubernetes quantity; requests must not exceed limits");

    private final String key;
    private final String defaultValue;
    private final String allowed;
    private final boolean object;

    ConfigKey(String key, String defaultValue, String allowed) {
        this(key, defaultValue, allowed, false);
    }

    /** An object key, set by path ({@code pulumi config set --path resources.backend.cpuLimit 1}); unset means every field's default. */
    ConfigKey(String key, String allowed) {
        this(key, null, allowed, true);
    }

    private ConfigKey(String key, String defaultValue, String allowed, boolean object) {
        this.key = key;
        this.defaultValue = defaultValue;
        this.allowed = allowed;
        this.object = object;
    }

    /** No '|' in it: the text is also a cell of the README's table. */
    private static String autoscalingFields(String tier) {
        var d = Autoscaling.DEFAULTS;
        return tier + "Autoscaling.enabled = true or false (default " + d.enabled() + "); .maxReplicas = an integer from "
                + Autoscaling.MIN_REPLICAS + " to " + SettingsReader.MAX_REPLICAS + " (default " + d.maxReplicas() + "); .targetCpuUtilization = "
                + Autoscaling.MIN_TARGET_CPU_UTILIZATION + " to " + Autoscaling.MAX_TARGET_CPU_UTILIZATION
                + ", percent of the CPU request (default " + d.targetCpuUtilization() + "); .scaleDownStabilizationSeconds = 0 to "
                + Autoscaling.MAX_STABILIZATION_SECONDS + " (default " + d.scaleDownStabilizationSeconds() + "); enabled, a"
                + " HorizontalPodAutoscaler keeps " + tier + "Replicas (then at least " + Autoscaling.MIN_REPLICAS
                + ") to maxReplicas pods";
    }

    public String key() {
        return key;
    }

    /** The default as written in stack config, or null when unset means something of its own. */
    public String defaultValue() {
        return defaultValue;
    }

    public String allowed() {
        return allowed;
    }

    /** Declared {@code type: object} in Pulumi.yaml; the program receives it as JSON. */
    public boolean isObject() {
        return object;
    }

    public static Optional<ConfigKey> named(String key) {
        return Arrays.stream(values()).filter(k -> k.key.equals(key)).findFirst();
    }

    /**
     * The known keys a typo most likely meant: the one with the fewest single-letter edits, ignoring
     * case, if close enough to be a typo (a third of the name, at least 3), else every key that
     * contains it (storageClass: the database's and the backup's); empty when nothing fits.
     */
    public static List<ConfigKey> closestTo(String unknown) {
        var typed = unknown.toLowerCase(Locale.ROOT);
        int tolerance = Math.max(3, typed.length() / 3);
        var nearest = Arrays.stream(values())
                .filter(k -> editDistance(typed, k.key.toLowerCase(Locale.ROOT)) <= tolerance)
                .min(Comparator.comparingInt(k -> editDistance(typed, k.key.toLowerCase(Locale.ROOT))));
        if (nearest.isPresent()) {
            return List.of(nearest.get());
        }
        return Arrays.stream(values()).filter(k -> k.key.toLowerCase(Locale.ROOT).contains(typed)).toList();
    }

    /** Levenshtein distance: insertions, deletions and substitutions. */
    private static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
