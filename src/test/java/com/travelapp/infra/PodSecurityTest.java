package com.travelapp.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.pulumi.test.PulumiTest;
import com.travelapp.infra.StackRun.Registered;
import com.travelapp.infra.database.Database;
import com.travelapp.infra.frontend.Frontend;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The rules of the Pod Security "restricted" profile (and baseline, which it includes), checked on
 * every pod template the stack declares, plus our own: requests, limits, labels, no token.
 */
class PodSecurityTest {
    /** Baseline's allowed sysctls: namespaced and safe. */
    private static final Set<String> SAFE_SYSCTLS = Set.of("kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range",
            "net.ipv4.ip_unprivileged_port_start", "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range");
    private static final Set<String> RESTRICTED_VOLUME_TYPES = Set.of("configMap", "csi", "downwardAPI", "emptyDir",
            "ephemeral", "persistentVolumeClaim", "projected", "secret");

    private final StackRun run = StackRun.ofDefaults();

    @AfterEach
    void cleanup() {
        PulumiTest.cleanup();
    }

    private static Map<String, Object> podSpec(Registered workload) {
        return workload.map("spec", "template", "spec");
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> containers(Registered workload) {
        var spec = podSpec(workload);
        var all = new java.util.ArrayList<Map<String, Object>>((List<Map<String, Object>>) spec.get("containers"));
        all.addAll((List<Map<String, Object>>) spec.getOrDefault("initContainers", List.of()));
        return all;
    }

    @Test
    void thereAreSevenWorkloadsToCheckTheBackupCronJobIncluded() {
        assertEquals(List.of("backend", "frontend", "grafana", "postgres", "postgres-backup", "prometheus"),
                run.workloads().stream().map(Registered::name).filter(n -> !n.startsWith("backend-migrate-")).sorted().toList());
        assertEquals(7, run.workloads().size());
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyPodPassesPodSecurityRestricted() {
        for (var workload : run.workloads()) {
            var spec = podSpec(workload);
            var pod = (Map<String, Object>) spec.getOrDefault("securityContext", Map.of());
            for (var host : List.of("hostNetwork", "hostPID", "hostIPC")) {
                assertFalse(Boolean.TRUE.equals(spec.get(host)), workload.name() + " uses " + host);
            }
            assertEquals("RuntimeDefault", ((Map<?, ?>) pod.get("seccompProfile")).get("type"), workload.name());
            for (var sysctl : (List<Map<String, Object>>) pod.getOrDefault("sysctls", List.of())) {
                assertTrue(SAFE_SYSCTLS.contains(sysctl.get("name")), workload.name() + " sets sysctl " + sysctl);
            }
            for (var volume : (List<Map<String, Object>>) spec.getOrDefault("volumes", List.of())) {
                var types = new java.util.HashSet<>(volume.keySet());
                types.remove("name");
                assertTrue(RESTRICTED_VOLUME_TYPES.containsAll(types), workload.name() + " volume " + volume);
            }
            for (var container : containers(workload)) {
                var name = workload.name() + "/" + container.get("name");
                var context = (Map<String, Object>) container.get("securityContext");
                assertNotNull(context, name + " has no securityContext");
                assertEquals(false, context.get("allowPrivilegeEscalation"), name);
                assertFalse(Boolean.TRUE.equals(context.get("privileged")), name);
                var capabilities = (Map<String, Object>) context.get("capabilities");
                assertEquals(List.of("ALL"), capabilities.get("drop"), name);
                assertTrue(((List<?>) capabilities.getOrDefault("add", List.of())).stream().allMatch("NET_BIND_SERVICE"::equals), name);
                var nonRoot = Boolean.TRUE.equals(context.get("runAsNonRoot")) || Boolean.TRUE.equals(pod.get("runAsNonRoot"));
                assertTrue(nonRoot, name + " may run as root");
                var uid = context.getOrDefault("runAsUser", pod.get("runAsUser"));
                assertTrue(uid instanceof Number n && n.intValue() > 0, name + " runAsUser " + uid);
                assertEquals(true, context.get("readOnlyRootFilesystem"), name + " has a writable root filesystem");
            }
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyContainerHasRequestsAndLimitsForCpuMemoryAndEphemeralStorage() {
        for (var workload : run.workloads()) {
            for (var container : containers(workload)) {
                var resources = (Map<String, Map<String, Object>>) container.get("resources");
                assertNotNull(resources, workload.name());
                assertEquals(Set.of("cpu", "memory", "ephemeral-storage"), resources.get("requests").keySet(), workload.name());
                assertEquals(Set.of("cpu", "memory", "ephemeral-storage"), resources.get("limits").keySet(), workload.name());
            }
        }
    }

    @Test
    void onlyPrometheusGetsAServiceAccountToken() {
        for (var workload : run.workloads()) {
            var automount = podSpec(workload).get("automountServiceAccountToken");
            assertEquals(!workload.name().equals("prometheus"), Boolean.FALSE.equals(automount), workload.name() + ": " + automount);
        }
        assertEquals("prometheus", podSpec(run.one("kubernetes:apps/v1:Deployment", "prometheus")).get("serviceAccountName"));
    }

    @Test
    void noPodGetsServiceLinkVariablesThatWouldShadowItsSettings() {
        // A Service named "backend" would inject BACKEND_PORT=tcp://..., which the frontend reads.
        for (var workload : run.workloads()) {
            assertEquals(false, podSpec(workload).get("enableServiceLinks"), workload.name());
        }
    }

    @Test
    void everyLongRunningContainerHasReadinessAndLivenessProbes() {
        for (var workload : run.workloads()) {
            if (workload.type().endsWith("Job")) {
                continue;
            }
            for (var container : containers(workload)) {
                assertNotNull(container.get("readinessProbe"), workload.name() + " readiness");
                assertNotNull(container.get("livenessProbe"), workload.name() + " liveness");
            }
        }
        var backend = containers(run.one("kubernetes:apps/v1:Deployment", "backend")).get(0);
        assertEquals("/readyz", ((Map<?, ?>) ((Map<?, ?>) backend.get("readinessProbe")).get("httpGet")).get("path"));
        assertEquals("/healthz", ((Map<?, ?>) ((Map<?, ?>) backend.get("livenessProbe")).get("httpGet")).get("path"));
    }

    @Test
    void everyResourceCarriesTheRecommendedLabels() {
        for (var resource : run.resources) {
            if (!resource.type().startsWith("kubernetes:")) {
                continue;
            }
            var labels = resource.map("metadata", "labels");
            for (var key : List.of("app.kubernetes.io/name", "app.kubernetes.io/component", "app.kubernetes.io/part-of",
                    "app.kubernetes.io/managed-by")) {
                assertTrue(labels.containsKey(key), resource.type() + " " + resource.name() + " lacks " + key);
            }
            assertEquals("travel-app", labels.get("app.kubernetes.io/part-of"));
        }
        for (var workload : run.workloads()) {
            assertTrue(workload.map("spec", "template", "metadata", "labels").containsKey("app.kubernetes.io/name"), workload.name());
        }
    }

    @Test
    void theFrontendBindsPort80AsNonRootThroughTheSafeSysctlOnly() {
        var pod = (Map<?, ?>) podSpec(run.one("kubernetes:apps/v1:Deployment", "frontend")).get("securityContext");
        assertEquals(List.of(Map.of("name", "net.ipv4.ip_unprivileged_port_start", "value", "80")), pod.get("sysctls"));
        assertEquals(Frontend.UID, ((Number) pod.get("runAsUser")).intValue());
        assertEquals(Frontend.GID, ((Number) pod.get("fsGroup")).intValue());
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyPodRunsAsAUidOfNoNodeAccountExceptThePostgresImagesWhoseDataIsOwnedBy70() {
        // checkov CKV_K8S_40; the PostgreSQL exception is waived in .checkov.yaml with its reason.
        var databaseImage = containers(run.one("kubernetes:apps/v1:StatefulSet", "postgres")).get(0).get("image");
        for (var workload : run.workloads()) {
            var uid = ((Number) ((Map<String, Object>) podSpec(workload).get("securityContext")).get("runAsUser")).intValue();
            var postgresImage = containers(workload).stream().allMatch(c -> databaseImage.equals(c.get("image")));
            assertTrue(uid >= 10000 || (postgresImage && uid == Database.UID), workload.name() + " runs as UID " + uid);
        }
        assertEquals(70, Database.UID);
        assertEquals(10101, Frontend.UID);
    }
}
