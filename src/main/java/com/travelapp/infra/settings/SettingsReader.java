package com.travelapp.infra.settings;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.pulumi.Config;
import com.travelapp.infra.settings.FrontendSettings.ServiceType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Reads stack config once into {@link Settings}. Every key is read as text and checked here, so
 * a bad value produces our message (key, value, what is allowed) rather than a parse exception,
 * and every problem is reported in one {@link InvalidSettingsException}, together with every key
 * under our namespace that the program does not know (a typo would otherwise deploy the default).
 */
public final class SettingsReader {
    public static final int MIN_REPLICAS = 1;
    public static final int MAX_REPLICAS = 100;
    public static final int MIN_NODE_PORT = 30000;
    public static final int MAX_NODE_PORT = 32767;
    public static final int MIN_BACKUP_RETENTION = 1;
    public static final int MAX_BACKUP_RETENTION = 365;

    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    private static final Pattern DNS_SUBDOMAIN = Pattern.compile("[a-z0-9]([-a-z0-9.]*[a-z0-9])?");
    private static final Pattern IMAGE = Pattern.compile(
            "(?:(?<registry>[a-zA-Z0-9-]+(?:\\.[a-zA-Z0-9-]+)*(?::[0-9]+)?)/)?"
                    + "(?<path>[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*)"
                    + "(?::(?<tag>[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?"
                    + "(?:@(?<digest>sha256:[a-f0-9]{64}))?");
    private static final Pattern PG_IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
    private static final Pattern STORAGE = Pattern.compile("([1-9][0-9]{0,8})(Mi|Gi|Ti)");
    private static final Pattern DURATION = Pattern.compile("([1-9][0-9]{0,3})(s|m)");
    private static final Pattern GRAFANA_USER = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?|\\[?[0-9A-Fa-f:]+]?");
    private static final Pattern ALLOWED_HOST = Pattern.compile("\\.?[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?");
    private static final Pattern CPU = Pattern.compile("([1-9][0-9]{0,6})m|([0-9]{1,4})(\\.[0-9]{1,3})?");
    private static final Pattern ENDPOINT = Pattern.compile("(?:([0-9.]+)|\\[([0-9A-Fa-f:.]+)]):([0-9]{1,5})");
    private static final Pattern PORT = Pattern.compile("([0-9]{1,5})(?:/(TCP|UDP|SCTP))?");
    private static final Pattern MEMORY = Pattern.compile("([1-9][0-9]{0,12})(Ki|Mi|Gi|Ti|k|M|G|T)?");
    /** The fields of {@code resources.<workload>}, in the order the error for an unknown one lists them. */
    private static final List<String> RESOURCE_FIELDS = List.of("cpuRequest", "memoryRequest", "cpuLimit", "memoryLimit",
            "ephemeralStorageRequest", "ephemeralStorageLimit");
    private static final List<String> AUTOSCALING_FIELDS =
            List.of("enabled", "maxReplicas", "targetCpuUtilization", "scaleDownStabilizationSeconds");

    private final Config config;
    private final Set<String> presentKeys;
    private final List<String> problems = new ArrayList<>();

    private SettingsReader(Config config, Set<String> presentKeys) {
        this.config = config;
        this.presentKeys = presentKeys;
    }

    /**
     * @param presentKeys every key the stack config holds, with its namespace ("travel-app:backendReplicas",
     *                    "kubernetes:context"): {@link Config} can look keys up but not list them
     * @throws InvalidSettingsException listing every unknown key and every value that is not allowed
     */
    public static Settings read(Config config, Set<String> presentKeys) {
        return new SettingsReader(config, presentKeys).read();
    }

    private Settings read() {
        rejectUnknownKeys();
        var namespace = namespace();
        var frontendServiceType = serviceType();
        var frontendNodePort = optionalNodePort(ConfigKey.FRONTEND_NODE_PORT);
        var prometheusNodePort = integer(ConfigKey.PROMETHEUS_NODE_PORT, MIN_NODE_PORT, MAX_NODE_PORT);
        var grafanaNodePort = integer(ConfigKey.GRAFANA_NODE_PORT, MIN_NODE_PORT, MAX_NODE_PORT);
        var grafanaEnabled = bool(ConfigKey.GRAFANA_ENABLED);
        if (frontendNodePort.isPresent() && frontendServiceType == ServiceType.ClusterIP) {
            problem(ConfigKey.FRONTEND_NODE_PORT, String.valueOf(frontendNodePort.get()),
                    "must be unset when frontendServiceType is ClusterIP (a ClusterIP Service has no node port)");
        }
        // Without a Grafana Service its node port is taken by nothing, so it cannot clash.
        requireDistinctNodePorts(frontendNodePort, prometheusNodePort,
                grafanaEnabled ? grafanaNodePort : Optional.empty());

        // Read in this order, so that problems are listed in it; then handed to the tiers that need them.
        var pullPolicy = oneOf(ConfigKey.IMAGE_PULL_POLICY, List.of("IfNotPresent", "Always", "Never"));
        var frontendReplicas = integer(ConfigKey.FRONTEND_REPLICAS, MIN_REPLICAS, MAX_REPLICAS);
        var frontendAutoscaling = autoscaling(ConfigKey.FRONTEND_AUTOSCALING, ConfigKey.FRONTEND_REPLICAS, frontendReplicas);
        var frontendImage = image(ConfigKey.FRONTEND_IMAGE);
        var backendReplicas = integer(ConfigKey.BACKEND_REPLICAS, MIN_REPLICAS, MAX_REPLICAS);
        var backendAutoscaling = autoscaling(ConfigKey.BACKEND_AUTOSCALING, ConfigKey.BACKEND_REPLICAS, backendReplicas);
        var backendImage = image(ConfigKey.BACKEND_IMAGE);
        var allowedHosts = allowedHosts();
        var databaseImage = image(ConfigKey.DATABASE_IMAGE);
        var databaseName = matching(ConfigKey.DATABASE_NAME, PG_IDENTIFIER);
        var databaseUser = matching(ConfigKey.DATABASE_USER, PG_IDENTIFIER);
        var databaseStorageSize = storageSize(ConfigKey.DATABASE_STORAGE_SIZE, 256, "PostgreSQL needs room for its WAL");
        var databaseStorageClass = storageClass(ConfigKey.DATABASE_STORAGE_CLASS);
        var prometheusImage = image(ConfigKey.PROMETHEUS_IMAGE);
        var grafanaImage = image(ConfigKey.GRAFANA_IMAGE);
        var scrapeInterval = scrapeInterval();
        var grafanaAdminUser = matching(ConfigKey.GRAFANA_ADMIN_USER, GRAFANA_USER);
        var loadBalancerAvailable = bool(ConfigKey.LOAD_BALANCER_AVAILABLE);
        var nodeAddress = matching(ConfigKey.NODE_ADDRESS, HOST);
        var resources = resources();
        var extraEgress = extraEgress();
        var apiServerEndpoints = apiServerEndpoints();
        var backup = backup(databaseImage, pullPolicy, resources.get(Workload.BACKUP));

        var settings = new Settings(
                namespace,
                new FrontendSettings(frontendReplicas.orElse(MIN_REPLICAS), frontendAutoscaling, frontendImage, pullPolicy,
                        resources.get(Workload.FRONTEND),
                        frontendServiceType, frontendNodePort, loadBalancerAvailable, nodeAddress),
                new BackendSettings(backendReplicas.orElse(MIN_REPLICAS), backendAutoscaling, backendImage, pullPolicy,
                        resources.get(Workload.BACKEND),
                        resources.get(Workload.MIGRATIONS), allowedHosts),
                new DatabaseSettings(databaseImage, pullPolicy, resources.get(Workload.DATABASE), databaseName,
                        databaseUser, databaseStorageSize, databaseStorageClass),
                backup,
                new MonitoringSettings(nodeAddress,
                        new PrometheusSettings(namespace, prometheusImage, pullPolicy, resources.get(Workload.PROMETHEUS),
                                prometheusNodePort.orElse(0), scrapeInterval, apiServerEndpoints),
                        new GrafanaSettings(grafanaEnabled, grafanaImage, pullPolicy, resources.get(Workload.GRAFANA),
                                grafanaNodePort.orElse(0), grafanaAdminUser, scrapeInterval)),
                new NetworkSettings(extraEgress));
        if (!problems.isEmpty()) {
            throw new InvalidSettingsException(config.getName(), problems);
        }
        return settings;
    }

    /** Keys set with {@code --path} (resources.backend.memoryLimit) arrive under their top key. */
    private void rejectUnknownKeys() {
        var prefix = config.getName() + ":";
        presentKeys.stream().filter(k -> k.startsWith(prefix)).map(k -> k.substring(prefix.length()))
                .filter(k -> ConfigKey.named(k).isEmpty()).sorted()
                .forEach(k -> problems.add(k + ": unknown key; " + suggestion(ConfigKey.closestTo(k))));
    }

    private static String suggestion(List<ConfigKey> candidates) {
        return candidates.isEmpty()
                ? "the known keys are declared in Pulumi.yaml (config:)"
                : "did you mean " + candidates.stream().map(ConfigKey::key).collect(Collectors.joining(" or ")) + "?";
    }

    private String value(ConfigKey key) {
        return config.get(key.key()).orElse(key.defaultValue());
    }

    /** A key without a default; empty is unset too, because Pulumi.yaml must declare a default for every key. */
    private Optional<String> optional(ConfigKey key) {
        return config.get(key.key()).filter(v -> !v.isEmpty()).or(() -> Optional.ofNullable(key.defaultValue()));
    }

    private void problem(ConfigKey key, String value, String expectation) {
        problem(key.key(), value, expectation);
    }

    /** KEY is a top-level key or the path of an object's field (resources.backend.cpuLimit). */
    private void problem(String key, String value, String expectation) {
        problems.add(key + " = \"" + value + "\": " + expectation);
    }

    /** Records a problem when {@code ok} is false; returns {@code ok}. */
    private boolean check(ConfigKey key, String value, boolean ok) {
        if (!ok) {
            problem(key, value, "must be " + key.allowed());
        }
        return ok;
    }

    private String matching(ConfigKey key, Pattern pattern) {
        var value = value(key);
        check(key, value, pattern.matcher(value).matches());
        return value;
    }

    private String namespace() {
        var value = value(ConfigKey.NAMESPACE);
        if (check(ConfigKey.NAMESPACE, value, value.length() <= 63 && DNS_LABEL.matcher(value).matches())
                && value.startsWith("kube-")) {
            problem(ConfigKey.NAMESPACE, value, "must not start with 'kube-' (reserved for Kubernetes itself)");
        }
        return value;
    }

    private Optional<Integer> optionalNodePort(ConfigKey key) {
        return optional(key).flatMap(value -> integer(key, value, MIN_NODE_PORT, MAX_NODE_PORT));
    }

    private Optional<Integer> integer(ConfigKey key, int min, int max) {
        return integer(key, value(key), min, max);
    }

    private Optional<Integer> integer(ConfigKey key, String text, int min, int max) {
        return integer(key.key(), text, min, max, key.allowed());
    }

    /** Empty, with a problem recorded, unless TEXT is an integer from MIN to MAX. */
    private Optional<Integer> integer(String key, String text, int min, int max, String expectation) {
        var value = text.trim();
        try {
            int parsed = Integer.parseInt(value);
            if (parsed >= min && parsed <= max) {
                return Optional.of(parsed);
            }
        } catch (NumberFormatException e) {
            // reported below, like a number out of range
        }
        problem(key, value, "must be " + expectation);
        return Optional.empty();
    }

    private boolean bool(ConfigKey key) {
        var value = value(key);
        check(key, value, value.equals("true") || value.equals("false"));
        return Boolean.parseBoolean(value);
    }

    private String oneOf(ConfigKey key, List<String> allowed) {
        var value = value(key);
        check(key, value, allowed.contains(value));
        return value;
    }

    private ServiceType serviceType() {
        var value = oneOf(ConfigKey.FRONTEND_SERVICE_TYPE,
                Arrays.stream(ServiceType.values()).map(Enum::name).toList());
        return Arrays.stream(ServiceType.values())
                .filter(t -> t.name().equals(value)).findFirst().orElse(ServiceType.LoadBalancer);
    }

    /** Only ports that are valid on their own are compared, so one typo gives one message. */
    private void requireDistinctNodePorts(Optional<Integer> frontend, Optional<Integer> prometheus, Optional<Integer> grafana) {
        if (prometheus.isPresent() && prometheus.equals(grafana)) {
            problem(ConfigKey.GRAFANA_NODE_PORT, String.valueOf(grafana.get()),
                    "must differ from prometheusNodePort (" + prometheus.get() + "): a node port can be used by one Service only");
        }
        frontend.filter(port -> prometheus.equals(Optional.of(port)) || grafana.equals(Optional.of(port)))
                .ifPresent(port -> problem(ConfigKey.FRONTEND_NODE_PORT, String.valueOf(port),
                        "must differ from prometheusNodePort and grafanaNodePort: a node port can be used by one Service only"));
    }

    private String image(ConfigKey key) {
        var value = value(key);
        Matcher m = IMAGE.matcher(value);
        if (!m.matches()) {
            check(key, value, false);
        } else if (m.group("tag") == null && m.group("digest") == null) {
            problem(key, value, "must name a tag or digest (e.g. '" + value + ":1.0.0'): untagged images mean ':latest'");
        } else if ("latest".equals(m.group("tag")) && m.group("digest") == null) {
            problem(key, value, "must not use the ':latest' tag: pin an exact version");
        }
        return value;
    }

    private String storageSize(ConfigKey key, int minMebibytes, String why) {
        var value = value(key);
        Matcher m = STORAGE.matcher(value);
        if (check(key, value, m.matches()) && toMebibytes(Long.parseLong(m.group(1)), m.group(2)) < minMebibytes) {
            problem(key, value, "must be at least " + minMebibytes + "Mi: " + why);
        }
        return value;
    }

    private Optional<String> storageClass(ConfigKey key) {
        return optional(key).filter(v -> check(key, v, v.length() <= 253 && DNS_SUBDOMAIN.matcher(v).matches()));
    }

    /** Read and checked even when disabled, like Grafana's keys: a bad value is a mistake either way. */
    private BackupSettings backup(String databaseImage, String pullPolicy, ComputeResources resources) {
        var schedule = value(ConfigKey.BACKUP_SCHEDULE);
        CronSchedule.problem(schedule).ifPresent(reason ->
                problem(ConfigKey.BACKUP_SCHEDULE, schedule, "must be " + ConfigKey.BACKUP_SCHEDULE.allowed() + "; " + reason));
        return new BackupSettings(
                bool(ConfigKey.BACKUP_ENABLED),
                schedule,
                integer(ConfigKey.BACKUP_RETENTION, MIN_BACKUP_RETENTION, MAX_BACKUP_RETENTION).orElse(MIN_BACKUP_RETENTION),
                storageSize(ConfigKey.BACKUP_STORAGE_SIZE, 64, "anything smaller is almost surely a mistaken unit (Mi for Gi)"),
                storageClass(ConfigKey.BACKUP_STORAGE_CLASS),
                databaseImage,
                pullPolicy,
                resources);
    }

    private static long toMebibytes(long amount, String unit) {
        return switch (unit) {
            case "Ti" -> amount * 1024 * 1024;
            case "Gi" -> amount * 1024;
            default -> amount;
        };
    }

    private String scrapeInterval() {
        var value = value(ConfigKey.SCRAPE_INTERVAL);
        Matcher m = DURATION.matcher(value);
        if (m.matches()) {
            long seconds = Long.parseLong(m.group(1)) * (m.group(2).equals("m") ? 60 : 1);
            check(ConfigKey.SCRAPE_INTERVAL, value, seconds >= 5 && seconds <= 300);
        } else {
            check(ConfigKey.SCRAPE_INTERVAL, value, false);
        }
        return value;
    }

    private List<String> allowedHosts() {
        var value = optional(ConfigKey.ALLOWED_HOSTS).orElse("");
        var hosts = Arrays.stream(value.split(",")).map(String::trim).filter(h -> !h.isEmpty()).toList();
        for (var host : hosts) {
            if (host.equals("*")) {
                problem(ConfigKey.ALLOWED_HOSTS, value, "must list host names; '*' would switch off Django's host header validation");
            } else if (!ALLOWED_HOST.matcher(host).matches()) {
                problem(ConfigKey.ALLOWED_HOSTS, value, "must be " + ConfigKey.ALLOWED_HOSTS.allowed() + "; '" + host + "' is not a host name");
            }
        }
        return hosts;
    }

    /**
     * {@code extraEgress}: a list of {cidr, ports, from}. Every entry is checked and each problem
     * named by its position (extraEgress[1].ports[0]), so that one run lists them all.
     */
    private List<NetworkSettings.ExtraEgress> extraEgress() {
        var raw = optional(ConfigKey.EXTRA_EGRESS);
        var result = new ArrayList<NetworkSettings.ExtraEgress>();
        if (raw.isEmpty()) {
            return result;
        }
        JsonElement parsed;
        try {
            parsed = JsonParser.parseString(raw.get());
        } catch (JsonParseException e) {
            check(ConfigKey.EXTRA_EGRESS, raw.get(), false);
            return result;
        }
        if (!parsed.isJsonArray()) {
            check(ConfigKey.EXTRA_EGRESS, raw.get(), false);
            return result;
        }
        var entries = parsed.getAsJsonArray();
        for (int i = 0; i < entries.size(); i++) {
            var prefix = "extraEgress[" + i + "]";
            if (!entries.get(i).isJsonObject()) {
                problems.add(prefix + " = " + entries.get(i) + ": must be an object {cidr, ports, from}");
                continue;
            }
            extraEgressEntry(prefix, entries.get(i).getAsJsonObject()).ifPresent(result::add);
        }
        return result;
    }

    private Optional<NetworkSettings.ExtraEgress> extraEgressEntry(String prefix, JsonObject entry) {
        int before = problems.size();
        for (var field : entry.keySet()) {
            if (!List.of("cidr", "ports", "from").contains(field)) {
                problems.add(prefix + "." + field + ": unknown field; allowed: cidr, ports, from");
            }
        }
        var cidr = entry.has("cidr") && entry.get("cidr").isJsonPrimitive() ? entry.get("cidr").getAsString() : null;
        if (cidr == null) {
            problems.add(prefix + ".cidr: missing; must be an IPv4 or IPv6 CIDR such as 10.0.0.25/32");
        } else {
            Cidr.problem(cidr).ifPresent(reason -> problems.add(prefix + ".cidr = \"" + cidr + "\": " + reason));
        }
        var ports = new ArrayList<NetworkSettings.Port>();
        var portList = entry.get("ports");
        if (portList == null || !portList.isJsonArray() || portList.getAsJsonArray().isEmpty()) {
            problems.add(prefix + ".ports" + (portList == null ? ": missing" : " = " + portList + ":")
                    + " must be a non-empty list of PORT or PORT/PROTOCOL, e.g. [587] or [\"53/UDP\", \"53/TCP\"]");
        } else {
            var list = portList.getAsJsonArray();
            for (int j = 0; j < list.size(); j++) {
                var text = list.get(j).isJsonPrimitive() ? list.get(j).getAsString() : list.get(j).toString();
                var port = port(text);
                if (port.isEmpty()) {
                    problems.add(prefix + ".ports[" + j + "] = \"" + text
                            + "\": must be PORT or PORT/PROTOCOL: a port from 1 to 65535, protocol TCP, UDP or SCTP (default TCP)");
                }
                port.ifPresent(ports::add);
            }
        }
        var from = new ArrayList<Workload>();
        var fromList = entry.get("from");
        var names = Arrays.stream(Workload.values()).map(Workload::configName).collect(Collectors.joining(", "));
        if (fromList == null) {
            from.addAll(Arrays.asList(Workload.values()));
        } else if (!fromList.isJsonArray() || fromList.getAsJsonArray().isEmpty()) {
            problems.add(prefix + ".from = " + fromList + ": must be a non-empty list of workloads (" + names
                    + "), or unset for all of them");
        } else {
            for (var element : fromList.getAsJsonArray()) {
                var text = element.isJsonPrimitive() ? element.getAsString() : element.toString();
                Arrays.stream(Workload.values()).filter(w -> w.configName().equals(text)).findFirst()
                        .ifPresentOrElse(from::add, () -> problems.add(prefix + ".from: unknown workload \"" + text
                                + "\"; allowed: " + names));
            }
        }
        return problems.size() == before
                ? Optional.of(new NetworkSettings.ExtraEgress(cidr, List.copyOf(ports), List.copyOf(from)))
                : Optional.empty();
    }

    private List<NetworkSettings.Endpoint> apiServerEndpoints() {
        var value = optional(ConfigKey.API_SERVER_ENDPOINTS).orElse("");
        var endpoints = new ArrayList<NetworkSettings.Endpoint>();
        for (var item : value.split(",")) {
            var text = item.trim();
            if (text.isEmpty()) {
                continue;
            }
            Matcher m = ENDPOINT.matcher(text);
            var address = m.matches() ? (m.group(1) != null ? m.group(1) : m.group(2)) : null;
            var port = m.matches() ? port(m.group(3)) : Optional.<NetworkSettings.Port>empty();
            var suffix = address != null && address.contains(":") ? "/128" : "/32";
            if (address == null || port.isEmpty() || Cidr.problem(address + suffix).isPresent()) {
                problem(ConfigKey.API_SERVER_ENDPOINTS, value, "must be " + ConfigKey.API_SERVER_ENDPOINTS.allowed()
                        + "; '" + text + "' is not an IP address and port");
                return List.of();
            }
            endpoints.add(new NetworkSettings.Endpoint(address, port.get().number()));
        }
        return List.copyOf(endpoints);
    }

    private static Optional<NetworkSettings.Port> port(String text) {
        Matcher m = PORT.matcher(text.trim());
        if (!m.matches()) {
            return Optional.empty();
        }
        int number = Integer.parseInt(m.group(1));
        if (number < 1 || number > 65535) {
            return Optional.empty();
        }
        return Optional.of(new NetworkSettings.Port(number, m.group(2) == null ? "TCP" : m.group(2)));
    }

    private Map<Workload, ComputeResources> resources() {
        var result = new EnumMap<Workload, ComputeResources>(Workload.class);
        for (var workload : Workload.values()) {
            result.put(workload, workload.defaults());
        }
        var overrides = object(ConfigKey.RESOURCES);
        if (overrides.isEmpty()) {
            return result;
        }
        for (var entry : overrides.get().entrySet()) {
            var workload = Arrays.stream(Workload.values())
                    .filter(w -> w.configName().equals(entry.getKey())).findFirst();
            if (workload.isEmpty() || !entry.getValue().isJsonObject()) {
                problems.add("resources." + entry.getKey() + ": unknown workload; allowed: "
                        + Arrays.stream(Workload.values()).map(Workload::configName).collect(Collectors.joining(", ")));
                continue;
            }
            result.put(workload.get(), computeResources(workload.get(), entry.getValue().getAsJsonObject()));
        }
        return result;
    }

    /** An object key's fields; empty when unset, and also, with a problem recorded, when the value is no JSON object. */
    private Optional<JsonObject> object(ConfigKey key) {
        var raw = optional(key);
        if (raw.isEmpty()) {
            return Optional.empty();
        }
        try {
            JsonElement parsed = JsonParser.parseString(raw.get());
            if (parsed.isJsonObject()) {
                return Optional.of(parsed.getAsJsonObject());
            }
        } catch (JsonParseException e) {
            // reported below, like valid JSON that is not an object
        }
        check(key, raw.get(), false);
        return Optional.empty();
    }

    /** A field of an object key as text (a number or boolean set by path arrives as JSON, not as a string); empty when absent. */
    private static Optional<String> field(JsonObject fields, String name) {
        if (!fields.has(name)) {
            return Optional.empty();
        }
        var element = fields.get(name);
        return Optional.of(element.isJsonPrimitive() ? element.getAsString() : element.toString());
    }

    /**
     * A tier's autoscaler. Each field is checked on its own, even with autoscaling off; the checks
     * against the tier's replica count only with it on, and only between values valid on their own
     * (one typo, one message).
     */
    private Autoscaling autoscaling(ConfigKey key, ConfigKey replicasKey, Optional<Integer> replicas) {
        var object = object(key);
        if (object.isEmpty()) {
            return Autoscaling.DEFAULTS;
        }
        var fields = object.get();
        var prefix = key.key() + ".";
        for (var name : fields.keySet()) {
            if (name.equals("minReplicas")) {
                problems.add(prefix + name + ": unknown field; the fewest pods is " + replicasKey.key()
                        + " (pulumi config set " + replicasKey.key() + " <n>)");
            } else if (!AUTOSCALING_FIELDS.contains(name)) {
                problems.add(prefix + name + ": unknown field; allowed: " + String.join(", ", AUTOSCALING_FIELDS));
            }
        }
        var defaults = Autoscaling.DEFAULTS;
        var enabled = field(fields, "enabled").orElse(String.valueOf(defaults.enabled()));
        if (!enabled.equals("true") && !enabled.equals("false")) {
            problem(prefix + "enabled", enabled, "must be true or false");
        }
        var maxReplicas = integerField(fields, prefix + "maxReplicas", defaults.maxReplicas(), Autoscaling.MIN_REPLICAS,
                MAX_REPLICAS, "the most pods the autoscaler may run");
        var target = integerField(fields, prefix + "targetCpuUtilization", defaults.targetCpuUtilization(),
                Autoscaling.MIN_TARGET_CPU_UTILIZATION, Autoscaling.MAX_TARGET_CPU_UTILIZATION,
                "the average CPU use to aim at, in percent of the pods' CPU request");
        var window = integerField(fields, prefix + "scaleDownStabilizationSeconds", defaults.scaleDownStabilizationSeconds(),
                0, Autoscaling.MAX_STABILIZATION_SECONDS, "how many seconds the load must have stayed low before pods are removed");
        var autoscaling = new Autoscaling(Boolean.parseBoolean(enabled), maxReplicas.orElse(defaults.maxReplicas()),
                target.orElse(defaults.targetCpuUtilization()), window.orElse(defaults.scaleDownStabilizationSeconds()));
        if (autoscaling.enabled() && replicas.isPresent()) {
            requireReplicasWithinAutoscaling(key, replicasKey, replicas.get(), maxReplicas);
        }
        return autoscaling;
    }

    /** The field's value, FALLBACK when it is absent, empty (with a problem recorded) when it is not an integer from MIN to MAX. */
    private Optional<Integer> integerField(JsonObject fields, String key, int fallback, int min, int max, String meaning) {
        return field(fields, key.substring(key.lastIndexOf('.') + 1))
                .map(value -> integer(key, value, min, max, "an integer from " + min + " to " + max + ": " + meaning))
                .orElse(Optional.of(fallback));
    }

    /**
     * With autoscaling on, the tier's replica count is the autoscaler's minReplicas. At least 2:
     * with one, the PodDisruptionBudget (minAvailable 1) refuses every eviction of the only pod, so
     * a node drain waits for ever, and the autoscaler would choose that state by itself at every
     * quiet hour.
     */
    private void requireReplicasWithinAutoscaling(ConfigKey key, ConfigKey replicasKey, int replicas, Optional<Integer> maxReplicas) {
        if (replicas < Autoscaling.MIN_REPLICAS) {
            problem(replicasKey, String.valueOf(replicas), "must be at least " + Autoscaling.MIN_REPLICAS + " while "
                    + key.key() + ".enabled is true: it is the fewest pods the autoscaler keeps, and the"
                    + " PodDisruptionBudget (minAvailable 1) lets no node drain evict a single one");
        } else if (maxReplicas.isPresent() && maxReplicas.get() < replicas) {
            problem(key.key() + ".maxReplicas", String.valueOf(maxReplicas.get()), "must be at least "
                    + replicasKey.key() + " (" + replicas + "), the fewest pods the autoscaler keeps");
        }
    }

    private ComputeResources computeResources(Workload workload, JsonObject fields) {
        var defaults = workload.defaults();
        var prefix = "resources." + workload.configName() + ".";
        for (var field : fields.keySet()) {
            if (!RESOURCE_FIELDS.contains(field)) {
                problems.add(prefix + field + ": unknown field; allowed: " + String.join(", ", RESOURCE_FIELDS));
            }
        }
        var cpuRequest = quantity(prefix + "cpuRequest", fields, defaults.cpuRequest(), CPU, "a CPU quantity such as 100m or 0.5");
        var cpuLimit = quantity(prefix + "cpuLimit", fields, defaults.cpuLimit(), CPU, "a CPU quantity such as 500m or 1");
        var memoryRequest = quantity(prefix + "memoryRequest", fields, defaults.memoryRequest(), MEMORY, "a memory quantity such as 128Mi or 1Gi");
        var memoryLimit = quantity(prefix + "memoryLimit", fields, defaults.memoryLimit(), MEMORY, "a memory quantity such as 512Mi or 1Gi");
        // Bytes like memory, so the same syntax (Kubernetes reads both as quantities of bytes).
        var storageRequest = quantity(prefix + "ephemeralStorageRequest", fields, defaults.ephemeralStorageRequest(), MEMORY,
                "a storage quantity such as 64Mi or 1Gi");
        var storageLimit = quantity(prefix + "ephemeralStorageLimit", fields, defaults.ephemeralStorageLimit(), MEMORY,
                "a storage quantity such as 256Mi or 2Gi");
        requireRequestWithinLimit(prefix + "cpuRequest", cpuRequest, cpuLimit, millicores(cpuRequest), millicores(cpuLimit));
        requireRequestWithinLimit(prefix + "memoryRequest", memoryRequest, memoryLimit, bytes(memoryRequest), bytes(memoryLimit));
        requireRequestWithinLimit(prefix + "ephemeralStorageRequest", storageRequest, storageLimit, bytes(storageRequest), bytes(storageLimit));
        return new ComputeResources(cpuRequest, memoryRequest, cpuLimit, memoryLimit, storageRequest, storageLimit);
    }

    private String quantity(String key, JsonObject fields, String fallback, Pattern pattern, String expectation) {
        var value = field(fields, key.substring(key.lastIndexOf('.') + 1));
        if (value.isEmpty()) {
            return fallback;
        }
        if (!pattern.matcher(value.get()).matches()) {
            problem(key, value.get(), "must be " + expectation);
            return fallback;
        }
        return value.get();
    }

    private void requireRequestWithinLimit(String key, String request, String limit, double requested, double limited) {
        if (requested > limited) {
            problems.add(key + " = \"" + request + "\": must not exceed the limit (" + limit + ")");
        }
    }

    private static double millicores(String cpu) {
        return cpu.endsWith("m") ? Double.parseDouble(cpu.substring(0, cpu.length() - 1)) : Double.parseDouble(cpu) * 1000;
    }

    private static double bytes(String memory) {
        Matcher m = MEMORY.matcher(memory);
        if (!m.matches()) {
            return 0;
        }
        double amount = Double.parseDouble(m.group(1));
        String unit = m.group(2) == null ? "" : m.group(2);
        return amount * switch (unit) {
            case "Ki" -> 1024d;
            case "Mi" -> 1024d * 1024;
            case "Gi" -> 1024d * 1024 * 1024;
            case "Ti" -> 1024d * 1024 * 1024 * 1024;
            case "k" -> 1e3;
            case "M" -> 1e6;
            case "G" -> 1e9;
            case "T" -> 1e12;
            default -> 1d;
        };
    }
}
