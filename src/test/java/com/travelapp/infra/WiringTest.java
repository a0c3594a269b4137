package com.travelapp.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import com.pulumi.test.PulumiTest;
import com.travelapp.infra.StackRun.Registered;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

class WiringTest {
    private final StackRun run = StackRun.ofDefaults();

    @AfterEach
    void cleanup() {
        PulumiTest.cleanup();
    }

    private static Map<String, Object> podTemplateLabels(Registered workload) {
        return workload.map("spec", "template", "metadata", "labels");
    }

    private static boolean selects(Map<String, Object> selector, Map<String, Object> labels) {
        return !selector.isEmpty() && selector.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
    }

    @Test
    void eachServiceSelectsExactlyThePodsOfItsOwnTier() {
        for (var service : run.ofType("kubernetes:core/v1:Service")) {
            var selector = service.map("spec", "selector");
            var selected = run.workloads().stream().filter(w -> selects(selector, podTemplateLabels(w))).toList();
            assertEquals(1, selected.size(), "Service " + service.name() + " selects " + selected.stream().map(Registered::name).toList());
            assertEquals(service.name(), selected.get(0).name(), "Service " + service.name());
        }
    }

    @Test
    void eachDeploymentAndStatefulSetSelectorMatchesItsOwnPodTemplate() {
        for (var workload : run.workloads()) {
            if (workload.type().endsWith("Job")) {
                continue;
            }
            assertTrue(selects(workload.map("spec", "selector", "matchLabels"), podTemplateLabels(workload)), workload.name());
        }
    }

    @Test
    void everyServiceTargetsAPortItsPodsExpose() {
        for (var service : run.ofType("kubernetes:core/v1:Service")) {
            var workload = run.workloads().stream().filter(w -> w.name().equals(service.name())).findFirst().orElseThrow();
            var containerPorts = new TreeSet<String>();
            for (var container : workload.list("spec", "template", "spec", "containers")) {
                for (var port : (List<Map<String, Object>>) container.get("ports")) {
                    containerPorts.add(String.valueOf(port.get("name")));
                }
            }
            for (var port : service.list("spec", "ports")) {
                assertTrue(containerPorts.contains(String.valueOf(port.get("targetPort"))),
                        "Service " + service.name() + " targets " + port.get("targetPort") + ", pods expose " + containerPorts);
            }
        }
    }

    @Test
    void everyEnvReferenceNamesAnExistingConfigMapOrSecretKey() {
        var keysByObject = new java.util.HashMap<String, Set<String>>();
        for (var configMap : run.ofType("kubernetes:core/v1:ConfigMap")) {
            keysByObject.put("ConfigMap/" + configMap.string("metadata", "name"), configMap.map("data").keySet());
        }
        for (var secret : run.ofType("kubernetes:core/v1:Secret")) {
            keysByObject.put("Secret/" + secret.string("metadata", "name"), secret.map("stringData").keySet());
        }
        int references = 0;
        for (var workload : run.workloads()) {
            for (var container : workload.list("spec", "template", "spec", "containers")) {
                for (var env : (List<Map<String, Object>>) container.getOrDefault("env", List.of())) {
                    var source = (Map<String, Map<String, Object>>) env.get("valueFrom");
                    if (source == null) {
                        continue;
                    }
                    var ref = source.containsKey("configMapKeyRef")
                            ? "ConfigMap/" + source.get("configMapKeyRef").get("name") : "Secret/" + source.get("secretKeyRef").get("name");
                    var key = (source.containsKey("configMapKeyRef") ? source.get("configMapKeyRef") : source.get("secretKeyRef")).get("key");
                    assertTrue(keysByObject.getOrDefault(ref, Set.of()).contains(key),
                            workload.name() + " env " + env.get("name") + " references missing " + ref + " key " + key);
                    references++;
                }
            }
        }
        // backend 6 + migrations 6 ConfigMap keys; secrets are files (SecretFilesTest)
        assertEquals(12, references, "env references checked");
    }

    /**
     * The first container's environment: a plain value as is, a reference as "object#key", and a
     * variable naming a file of a mounted Secret (DB_PASSWORD_FILE, GF_..._PASSWORD__FILE) as
     * "secret#key" of the file it names.
     */
    private Map<String, String> env(String workloadType, String workloadName) {
        var result = new java.util.HashMap<String, String>();
        var workload = run.one(workloadType, workloadName);
        for (var env : (List<Map<String, Object>>) workload.at("spec", "template", "spec", "containers", 0, "env")) {
            var source = (Map<String, Map<String, Object>>) env.get("valueFrom");
            var name = (String) env.get("name");
            if (source != null) {
                result.put(name, source.values().iterator().next().get("name") + "#" + source.values().iterator().next().get("key"));
            } else if (name.endsWith("_FILE")) {
                result.put(name, SecretFilesTest.secretFile(workload, String.valueOf(env.get("value"))).orElse("not a secret file"));
            } else {
                result.put(name, String.valueOf(env.get("value")));
            }
        }
        return result;
    }

    @Test
    void backendPodsGetDatabaseSettingsFromTheConfigMapAndSecretsAsFilesOfTheGeneratedSecret() {
        var env = env("kubernetes:apps/v1:Deployment", "backend");
        assertEquals("app-config#DB_HOST", env.get("DB_HOST"));
        assertEquals("app-config#DB_NAME", env.get("DB_NAME"));
        assertEquals("app-config#DB_USER", env.get("DB_USER"));
        assertEquals("app-config#DB_PORT", env.get("DB_PORT"));
        assertEquals("app-secrets#db_password", env.get("DB_PASSWORD_FILE"));
        assertEquals("app-secrets#django_secret_key", env.get("SECRET_KEY_FILE"));
    }

    @Test
    void theMigrationJobRunsMigrateWithExactlyTheBackendsEnvironment() {
        var job = run.ofType("kubernetes:batch/v1:Job").get(0);
        var container = (Map<String, Object>) job.at("spec", "template", "spec", "containers", 0);
        assertEquals(List.of("python", "manage.py", "migrate", "--noinput"), container.get("command"));
        assertEquals(run.one("kubernetes:apps/v1:Deployment", "backend").at("spec", "template", "spec", "containers", 0, "env"),
                container.get("env"));
        assertEquals(run.one("kubernetes:apps/v1:Deployment", "backend").at("spec", "template", "spec", "containers", 0, "image"),
                container.get("image"));
        assertEquals("Never", job.string("spec", "template", "spec", "restartPolicy"));
    }

    @Test
    void dbHostIsTheDatabaseServiceName() {
        var databaseService = run.one("kubernetes:core/v1:Service", "postgres").string("metadata", "name");
        assertEquals(databaseService, run.one("kubernetes:core/v1:ConfigMap", "app-config").string("data", "DB_HOST"));
        assertEquals("5432", run.one("kubernetes:core/v1:ConfigMap", "app-config").string("data", "DB_PORT"));
        assertEquals("false", run.one("kubernetes:core/v1:ConfigMap", "app-config").string("data", "DEBUG"));
    }

    @Test
    void theConfigMapHoldsNoSecret() {
        var data = run.one("kubernetes:core/v1:ConfigMap", "app-config").map("data");
        assertEquals(Set.of("DB_HOST", "DB_PORT", "DB_NAME", "DB_USER", "ALLOWED_HOSTS", "DEBUG"), data.keySet());
        for (var value : data.values()) {
            assertFalse(String.valueOf(value).contains("generated-"), "a generated secret leaked into app-config: " + value);
        }
    }

    @Test
    void djangoAcceptsTheBackendServiceNamesThatNginxSends() {
        var hosts = List.of(run.one("kubernetes:core/v1:ConfigMap", "app-config").string("data", "ALLOWED_HOSTS").split(","));
        assertTrue(hosts.contains("backend"), hosts.toString());
        assertTrue(hosts.contains("backend.travel-app.svc.cluster.local"), hosts.toString());
    }

    @Test
    void theFrontendFindsTheBackendThroughItsServiceName() {
        var env = env("kubernetes:apps/v1:Deployment", "frontend");
        assertEquals(run.one("kubernetes:core/v1:Service", "backend").string("metadata", "name"), env.get("BACKEND_HOST"));
        assertEquals("8000", env.get("BACKEND_PORT"));
        assertEquals("80", env.get("NGINX_PORT"));
    }

    @Test
    void theFrontendNeverHoldsDatabaseCredentials() {
        var env = env("kubernetes:apps/v1:Deployment", "frontend");
        assertTrue(env.values().stream().noneMatch(v -> v.contains("app-secrets") || v.contains("app-config")), env.toString());
    }

    @Test
    void theStatefulSetIsGovernedByTheHeadlessDatabaseService() {
        var service = run.one("kubernetes:core/v1:Service", "postgres");
        assertEquals("None", service.string("spec", "clusterIP"));
        assertEquals(service.string("metadata", "name"), run.one("kubernetes:apps/v1:StatefulSet", "postgres").string("spec", "serviceName"));
    }

    @Test
    void theDatabaseKeepsItsDataInASubdirectoryOfTheClaimedVolume() {
        var statefulSet = run.one("kubernetes:apps/v1:StatefulSet", "postgres");
        var env = env("kubernetes:apps/v1:StatefulSet", "postgres");
        assertEquals("/var/lib/postgresql/data/pgdata", env.get("PGDATA"));
        assertEquals("app-secrets#db_password", env.get("POSTGRES_PASSWORD_FILE"));
        var mounts = (List<Map<String, Object>>) statefulSet.at("spec", "template", "spec", "containers", 0, "volumeMounts");
        assertTrue(mounts.contains(Map.of("name", "data", "mountPath", "/var/lib/postgresql/data")), mounts.toString());
        assertEquals("data", statefulSet.string("spec", "volumeClaimTemplates", 0, "metadata", "name"));
        var probe = statefulSet.string("spec", "template", "spec", "containers", 0, "readinessProbe", "exec", "command");
        assertTrue(probe.contains("pg_isready"), probe);
    }

    @Test
    void prometheusScrapesTheBackendPodsThroughTheirAnnotations() {
        var annotations = run.one("kubernetes:apps/v1:Deployment", "backend").map("spec", "template", "metadata", "annotations");
        assertEquals("true", annotations.get("prometheus.io/scrape"));
        assertEquals("8000", annotations.get("prometheus.io/port"));
        assertEquals("/metrics", annotations.get("prometheus.io/path"));
    }

    @Test
    void prometheusConfigScrapesEveryFifteenSecondsWithTheStandardJobs() {
        var text = run.one("kubernetes:core/v1:ConfigMap", "prometheus-config").string("data", "prometheus.yml");
        Map<String, Object> config = new Yaml().load(text);
        assertEquals("15s", ((Map<?, ?>) config.get("global")).get("scrape_interval"));
        var jobs = ((List<Map<String, Object>>) config.get("scrape_configs")).stream().map(j -> j.get("job_name")).toList();
        assertEquals(List.of("prometheus", "kubernetes-pods", "kubernetes-service-endpoints", "kubernetes-nodes", "kubernetes-cadvisor"), jobs);
        assertFalse(text.contains("${"), "unrendered placeholder left in prometheus.yml");
    }

    @Test
    void grafanasDatasourceUidIsTheOneEveryDashboardPanelUses() {
        var datasources = run.one("kubernetes:core/v1:ConfigMap", "grafana-datasources").string("data", "datasources.yaml");
        Map<String, Object> parsed = new Yaml().load(datasources);
        var datasource = ((List<Map<String, Object>>) parsed.get("datasources")).get(0);
        assertEquals("http://prometheus.travel-app.svc:9090", datasource.get("url"));
        var uid = (String) datasource.get("uid");
        var dashboards = run.one("kubernetes:core/v1:ConfigMap", "grafana-dashboards").map("data");
        assertEquals(Set.of("cpu-memory.json", "network.json", "requests.json"), dashboards.keySet());
        var dashboardUids = new ArrayList<String>();
        for (var json : dashboards.values()) {
            var dashboard = JsonParser.parseString((String) json).getAsJsonObject();
            dashboardUids.add(dashboard.get("uid").getAsString());
            int targets = 0;
            for (JsonElement panel : dashboard.getAsJsonArray("panels")) {
                assertEquals(uid, panel.getAsJsonObject().getAsJsonObject("datasource").get("uid").getAsString());
                for (JsonElement target : panel.getAsJsonObject().getAsJsonArray("targets")) {
                    assertEquals(uid, target.getAsJsonObject().getAsJsonObject("datasource").get("uid").getAsString());
                    assertFalse(target.getAsJsonObject().get("expr").getAsString().isBlank());
                    targets++;
                }
            }
            assertTrue(targets > 0, dashboard.get("uid") + " has no query");
        }
        assertEquals(List.of("travel-cpu-memory", "travel-network", "travel-requests"), dashboardUids.stream().sorted().toList());
    }

    @Test
    void grafanaProvisionsDatasourcesAndDashboardsFromItsConfigMaps() {
        var grafana = run.one("kubernetes:apps/v1:Deployment", "grafana");
        var mounts = (List<Map<String, Object>>) grafana.at("spec", "template", "spec", "containers", 0, "volumeMounts");
        var paths = mounts.stream().map(m -> m.get("mountPath")).toList();
        assertTrue(paths.containsAll(List.of("/etc/grafana/provisioning/datasources", "/etc/grafana/provisioning/dashboards",
                "/var/lib/grafana/dashboards")), paths.toString());
        String providers = run.one("kubernetes:core/v1:ConfigMap", "grafana-dashboard-providers").string("data", "dashboards.yaml");
        assertTrue(providers.contains("path: /var/lib/grafana/dashboards"), providers);
        var env = env("kubernetes:apps/v1:Deployment", "grafana");
        assertEquals("grafana-admin#admin-password", env.get("GF_SECURITY_ADMIN_PASSWORD__FILE"));
        assertEquals("grafana-admin#admin-user", env.get("GF_SECURITY_ADMIN_USER__FILE"));
    }
}
