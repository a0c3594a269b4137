package com.travelapp.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.pulumi.test.PulumiTest;
import com.travelapp.infra.StackRun.Registered;
import com.travelapp.infra.settings.Workload;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every container requests and limits ephemeral storage, with the defaults of Workload, and each
 * pod's limits hold what its emptyDirs and logs may take together (the kubelet's pod-level check).
 */
class EphemeralStorageTest {
    private final StackRun run = StackRun.ofDefaults();

    @AfterEach
    void cleanup() {
        PulumiTest.cleanup();
    }

    /** The containers and init containers of a workload's pod template. */
    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> containers(Registered workload) {
        var spec = workload.map("spec", "template", "spec");
        var all = new ArrayList<Map<String, Object>>((List<Map<String, Object>>) spec.get("containers"));
        all.addAll((List<Map<String, Object>>) spec.getOrDefault("initContainers", List.of()));
        return all;
    }

    private static Object storage(Map<String, Object> container, String requestsOrLimits) {
        return ((Map<?, ?>) ((Map<?, ?>) container.get("resources")).get(requestsOrLimits)).get("ephemeral-storage");
    }

    /** The configurable workload a declared workload runs (the migration Job's name carries a hash). */
    private static Workload workloadOf(Registered declared) {
        return declared.name().startsWith("backend-migrate-") ? Workload.MIGRATIONS : switch (declared.name()) {
            case "frontend" -> Workload.FRONTEND;
            case "backend" -> Workload.BACKEND;
            case "postgres" -> Workload.DATABASE;
            case "postgres-backup" -> Workload.BACKUP;
            case "prometheus" -> Workload.PROMETHEUS;
            case "grafana" -> Workload.GRAFANA;
            default -> throw new AssertionError("a workload without resources settings: " + declared.name());
        };
    }

    /** A quantity of bytes in Mi: the units the defaults and sizeLimits are written in. */
    private static long mebibytes(Object quantity) {
        var text = String.valueOf(quantity);
        if (text.endsWith("Gi")) {
            return Long.parseLong(text.substring(0, text.length() - 2)) * 1024;
        }
        assertTrue(text.endsWith("Mi"), "not in Mi or Gi: " + text);
        return Long.parseLong(text.substring(0, text.length() - 2));
    }

    @Test
    void everyContainerAndInitContainerRequestsAndLimitsEphemeralStorageAsItsWorkloadsDefaults() {
        assertEquals(7, run.workloads().size());
        for (var workload : run.workloads()) {
            var defaults = workloadOf(workload).defaults();
            for (var container : containers(workload)) {
                var name = workload.name() + "/" + container.get("name");
                assertNotNull(storage(container, "requests"), name);
                assertEquals(defaults.ephemeralStorageRequest(), storage(container, "requests"), name);
                assertEquals(defaults.ephemeralStorageLimit(), storage(container, "limits"), name);
            }
        }
    }

    @ParameterizedTest(name = "{0}: ephemeral storage {1} requested, {2} limit")
    @CsvSource({
            "FRONTEND, 32Mi, 128Mi",
            "BACKEND, 32Mi, 192Mi",
            "MIGRATIONS, 16Mi, 128Mi",
            "DATABASE, 16Mi, 384Mi",
            "BACKUP, 16Mi, 128Mi",
            "PROMETHEUS, 512Mi, 2176Mi",
            "GRAFANA, 64Mi, 640Mi",
    })
    void theDefaultsAreTheMeasuredSizes(Workload workload, String request, String limit) {
        assertEquals(request, workload.defaults().ephemeralStorageRequest());
        assertEquals(limit, workload.defaults().ephemeralStorageLimit());
    }

    /**
     * The kubelet evicts a pod whose emptyDirs and containers' logs exceed the sum of its containers'
     * limits: with less than their sizeLimits plus the logs, an emptyDir within its own limit would
     * still get the pod evicted.
     */
    @Test
    @SuppressWarnings("unchecked")
    void eachPodsLimitsHoldItsEmptyDirsSizeLimitsPlusEachContainersLogs() {
        for (var workload : run.workloads()) {
            var volumes = (List<Map<String, Object>>) workload.map("spec", "template", "spec").getOrDefault("volumes", List.of());
            long emptyDirs = volumes.stream().filter(v -> v.containsKey("emptyDir"))
                    .mapToLong(v -> mebibytes(((Map<?, ?>) v.get("emptyDir")).get("sizeLimit"))).sum();
            var containers = containers(workload);
            long limits = containers.stream().mapToLong(c -> mebibytes(storage(c, "limits"))).sum();
            long needed = emptyDirs + (long) Workload.LOG_MEBIBYTES * containers.size();
            assertTrue(limits >= needed, workload.name() + ": limits " + limits + "Mi < emptyDirs " + emptyDirs
                    + "Mi + logs " + Workload.LOG_MEBIBYTES + "Mi per container");
            assertTrue(limits - needed <= 128, workload.name() + ": " + (limits - needed) + "Mi more than its emptyDirs and logs need");
        }
    }

    @Test
    void ephemeralStorageSetInStackConfigReachesOnlyThatContainer() {
        var changed = StackRun.of(StackRun.settings(Map.of("resources",
                "{\"database\":{\"ephemeralStorageRequest\":\"64Mi\",\"ephemeralStorageLimit\":\"1Gi\"}}")));
        var postgres = containers(changed.one("kubernetes:apps/v1:StatefulSet", "postgres")).get(0);
        assertEquals("64Mi", storage(postgres, "requests"));
        assertEquals("1Gi", storage(postgres, "limits"));
        assertEquals(Map.of("cpu", "1", "memory", "1Gi", "ephemeral-storage", "1Gi"), ((Map<?, ?>) postgres.get("resources")).get("limits"),
                "cpu and memory keep their defaults");
        var backend = containers(changed.one("kubernetes:apps/v1:Deployment", "backend")).get(0);
        assertEquals(Workload.BACKEND.defaults().ephemeralStorageLimit(), storage(backend, "limits"));
    }
}
