package com.travelapp.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.pulumi.test.PulumiTest;
import com.travelapp.infra.StackRun.Registered;
import com.travelapp.infra.kube.Kube;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Secrets reach pods only as files of Secret volumes (checkov CKV_K8S_35): what each pod mounts,
 * how, and that every variable naming such a file names one that exists.
 */
class SecretFilesTest {
    private final StackRun run = StackRun.ofDefaults();

    @AfterEach
    void cleanup() {
        PulumiTest.cleanup();
    }

    /** "secret#key" when {@code path} is a file of a Secret volume mounted by the workload's first container. */
    @SuppressWarnings("unchecked")
    static Optional<String> secretFile(Registered workload, String path) {
        var container = (Map<String, Object>) workload.at("spec", "template", "spec", "containers", 0);
        for (var mount : (List<Map<String, Object>>) container.getOrDefault("volumeMounts", List.of())) {
            var dir = mount.get("mountPath") + "/";
            if (!path.startsWith(dir)) {
                continue;
            }
            var file = path.substring(dir.length());
            for (var volume : workload.list("spec", "template", "spec", "volumes")) {
                var secret = (Map<String, Object>) volume.get("secret");
                if (volume.get("name").equals(mount.get("name")) && secret != null) {
                    for (var item : (List<Map<String, Object>>) secret.get("items")) {
                        if (item.get("path").equals(file)) {
                            return Optional.of(secret.get("secretName") + "#" + item.get("key"));
                        }
                    }
                }
            }
        }
        return Optional.empty();
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> containers(Registered workload) {
        return (List<Map<String, Object>>) workload.at("spec", "template", "spec", "containers");
    }

    @Test
    @SuppressWarnings("unchecked")
    void noContainerTakesASecretThroughItsEnvironment() {
        for (var workload : run.workloads()) {
            for (var container : containers(workload)) {
                for (var env : (List<Map<String, Object>>) container.getOrDefault("env", List.of())) {
                    var source = (Map<String, Object>) env.getOrDefault("valueFrom", Map.of());
                    assertFalse(source.containsKey("secretKeyRef"), workload.name() + " env " + env.get("name"));
                }
                for (var from : (List<Map<String, Object>>) container.getOrDefault("envFrom", List.of())) {
                    assertFalse(from.containsKey("secretRef"), workload.name() + " envFrom " + from);
                }
            }
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyFileVariableNamesAMountedKeyThatItsSecretHolds() {
        var keysBySecret = new TreeMap<String, java.util.Set<String>>();
        for (var secret : run.ofType("kubernetes:core/v1:Secret")) {
            keysBySecret.put(secret.string("metadata", "name"), secret.map("stringData").keySet());
        }
        int files = 0;
        for (var workload : run.workloads()) {
            for (var env : (List<Map<String, Object>>) containers(workload).get(0).getOrDefault("env", List.of())) {
                var name = (String) env.get("name");
                if (!name.endsWith("_FILE")) {
                    continue;
                }
                var source = secretFile(workload, String.valueOf(env.get("value")));
                assertTrue(source.isPresent(), workload.name() + " " + name + "=" + env.get("value") + " is no mounted secret file");
                var parts = source.get().split("#");
                assertTrue(keysBySecret.getOrDefault(parts[0], java.util.Set.of()).contains(parts[1]),
                        workload.name() + " " + name + " reads " + source.get() + ", which no Secret holds");
                files++;
            }
        }
        // at least backend 2 + migrations 2 + postgres 1 + Grafana admin user and password 2
        assertTrue(files >= 7, "only " + files + " secret file variables checked");
    }

    @Test
    @SuppressWarnings("unchecked")
    void secretVolumesAreReadOnlyAndOnlyReadableByOwnerAndGroup() {
        int volumes = 0;
        for (var workload : run.workloads()) {
            var secretVolumes = workload.list("spec", "template", "spec", "volumes").stream()
                    .filter(v -> v.containsKey("secret")).map(v -> v.get("name")).toList();
            for (var volume : workload.list("spec", "template", "spec", "volumes")) {
                if (volume.get("secret") instanceof Map<?, ?> secret) {
                    assertEquals(Kube.SECRET_FILE_MODE, ((Number) secret.get("defaultMode")).intValue(), workload.name());
                    volumes++;
                }
            }
            for (var container : containers(workload)) {
                for (var mount : (List<Map<String, Object>>) container.getOrDefault("volumeMounts", List.of())) {
                    if (secretVolumes.contains(mount.get("name"))) {
                        assertEquals(true, mount.get("readOnly"), workload.name() + " mounts " + mount.get("name") + " writable");
                    }
                }
            }
        }
        assertTrue(volumes >= 4, "only " + volumes + " secret volumes checked (backend, migrations, postgres, grafana at least)");
    }

    @Test
    @SuppressWarnings("unchecked")
    void eachPodMountsOnlyTheSecretKeysItReads() {
        var mounted = new TreeMap<String, List<String>>();
        for (var workload : run.workloads()) {
            var name = workload.name().startsWith("backend-migrate-") ? "backend-migrate" : workload.name();
            var keys = new java.util.ArrayList<String>();
            for (var volume : workload.list("spec", "template", "spec", "volumes")) {
                if (volume.get("secret") instanceof Map<?, ?> secret) {
                    for (var item : (List<Map<String, Object>>) secret.get("items")) {
                        keys.add(secret.get("secretName") + "#" + item.get("key"));
                    }
                }
            }
            var read = ((List<Map<String, Object>>) containers(workload).get(0).getOrDefault("env", List.of())).stream()
                    .filter(env -> String.valueOf(env.get("name")).endsWith("_FILE"))
                    .map(env -> secretFile(workload, String.valueOf(env.get("value"))).orElse("?")).sorted().toList();
            assertEquals(read, keys.stream().sorted().toList(), name + " mounts a secret key it does not read");
            if (!keys.isEmpty()) {
                mounted.put(name, keys);
            }
        }
        assertEquals(List.of("app-secrets#db_password", "app-secrets#django_secret_key"), mounted.get("backend"));
        assertEquals(List.of("app-secrets#db_password", "app-secrets#django_secret_key"), mounted.get("backend-migrate"));
        assertEquals(List.of("app-secrets#db_password"), mounted.get("postgres"), "PostgreSQL has no use for the Django key");
        assertEquals(List.of("grafana-admin#admin-user", "grafana-admin#admin-password"), mounted.get("grafana"));
    }
}
