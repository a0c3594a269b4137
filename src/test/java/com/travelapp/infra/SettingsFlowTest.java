package com.travelapp.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.pulumi.test.PulumiTest;
import com.travelapp.infra.backend.Backend;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/** Replica counts, ports, storage and service type come from settings; the defaults are the reference's numbers. */
class SettingsFlowTest {
    @AfterEach
    void cleanup() {
        PulumiTest.cleanup();
    }

    private static Map<String, Object> port(StackRun run, String service) {
        return run.one("kubernetes:core/v1:Service", service).list("spec", "ports").get(0);
    }

    private static int number(Object value) {
        return ((Number) value).intValue();
    }

    @Test
    void theDefaultsAreTheReferenceArchitecturesNumbers() {
        var run = StackRun.ofDefaults();
        assertEquals(2, run.one("kubernetes:apps/v1:Deployment", "frontend").integer("spec", "replicas"));
        assertEquals(2, run.one("kubernetes:apps/v1:Deployment", "backend").integer("spec", "replicas"));
        assertEquals(1, run.one("kubernetes:apps/v1:StatefulSet", "postgres").integer("spec", "replicas"));

        assertEquals("LoadBalancer", run.one("kubernetes:core/v1:Service", "frontend").string("spec", "type"));
        assertEquals(3000, number(port(run, "frontend").get("port")));
        assertEquals(80, run.one("kubernetes:apps/v1:Deployment", "frontend").integer("spec", "template", "spec", "containers", 0, "ports", 0, "containerPort"));

        assertEquals("ClusterIP", run.one("kubernetes:core/v1:Service", "backend").string("spec", "type"));
        assertEquals(8000, number(port(run, "backend").get("port")));
        assertEquals(8000, run.one("kubernetes:apps/v1:Deployment", "backend").integer("spec", "template", "spec", "containers", 0, "ports", 0, "containerPort"));

        assertEquals(5432, number(port(run, "postgres").get("port")));
        assertEquals("2Gi", run.one("kubernetes:apps/v1:StatefulSet", "postgres")
                .string("spec", "volumeClaimTemplates", 0, "spec", "resources", "requests", "storage"));
        assertEquals(List.of("ReadWriteOnce"), run.one("kubernetes:apps/v1:StatefulSet", "postgres")
                .at("spec", "volumeClaimTemplates", 0, "spec", "accessModes"));

        assertEquals(30090, number(port(run, "prometheus").get("nodePort")));
        assertEquals("NodePort", run.one("kubernetes:core/v1:Service", "prometheus").string("spec", "type"));
        assertEquals(30300, number(port(run, "grafana").get("nodePort")));
        assertEquals("NodePort", run.one("kubernetes:core/v1:Service", "grafana").string("spec", "type"));
        Map<String, Object> prometheusYaml = new Yaml().load(
                run.one("kubernetes:core/v1:ConfigMap", "prometheus-config").string("data", "prometheus.yml"));
        assertEquals("15s", ((Map<?, ?>) prometheusYaml.get("global")).get("scrape_interval"));
    }

    @Test
    void replicaCountsPortsStorageAndServiceTypeFollowTheSettings() {
        var run = StackRun.of(StackRun.settings(Map.of(
                "frontendReplicas", "3", "backendReplicas", "5",
                "frontendServiceType", "NodePort", "frontendNodePort", "30080",
                "prometheusNodePort", "31090", "grafanaNodePort", "31300",
                "databaseStorageSize", "10Gi", "databaseStorageClass", "fast-ssd",
                "scrapeInterval", "30s")));
        assertEquals(3, run.one("kubernetes:apps/v1:Deployment", "frontend").integer("spec", "replicas"));
        assertEquals(5, run.one("kubernetes:apps/v1:Deployment", "backend").integer("spec", "replicas"));
        assertEquals("NodePort", run.one("kubernetes:core/v1:Service", "frontend").string("spec", "type"));
        assertEquals(30080, number(port(run, "frontend").get("nodePort")));
        assertEquals(31090, number(port(run, "prometheus").get("nodePort")));
        assertEquals(31300, number(port(run, "grafana").get("nodePort")));
        var statefulSet = run.one("kubernetes:apps/v1:StatefulSet", "postgres");
        assertEquals("10Gi", statefulSet.string("spec", "volumeClaimTemplates", 0, "spec", "resources", "requests", "storage"));
        assertEquals("fast-ssd", statefulSet.string("spec", "volumeClaimTemplates", 0, "spec", "storageClassName"));
        assertTrue(run.one("kubernetes:core/v1:ConfigMap", "prometheus-config").string("data", "prometheus.yml")
                .contains("scrape_interval: 30s"));
        assertEquals(5, run.output("backendReplicas"));
        assertEquals(3, run.output("frontendReplicas"));
        assertEquals(31090, run.output("prometheusNodePort"));
    }

    @Test
    void withoutAStorageClassTheClaimUsesTheClusterDefault() {
        var statefulSet = StackRun.ofDefaults().one("kubernetes:apps/v1:StatefulSet", "postgres");
        assertEquals(null, statefulSet.at("spec", "volumeClaimTemplates", 0, "spec", "storageClassName"));
    }

    @Test
    void aLoadBalancerIsNotAwaitedWhenTheClusterHasNone() {
        var waiting = StackRun.ofDefaults().one("kubernetes:core/v1:Service", "frontend").map("metadata", "annotations");
        assertFalse(waiting.containsKey("pulumi.com/skipAwait"), "a cluster with a load balancer gets the await");
        var run = StackRun.of(StackRun.settings(Map.of("loadBalancerAvailable", "false")));
        assertEquals("true", run.one("kubernetes:core/v1:Service", "frontend").string("metadata", "annotations", "pulumi.com/skipAwait"));
        assertEquals("LoadBalancer", run.one("kubernetes:core/v1:Service", "frontend").string("spec", "type"));
    }

    @Test
    void imagesAndPullPolicyFollowTheSettings() {
        var run = StackRun.of(StackRun.settings(Map.of("backendImage", "registry.example.com:5000/travel/backend:2.1.0",
                "frontendImage", "ghcr.io/acme/frontend@sha256:" + "a".repeat(64), "imagePullPolicy", "Always")));
        var backend = run.one("kubernetes:apps/v1:Deployment", "backend");
        assertEquals("registry.example.com:5000/travel/backend:2.1.0", backend.string("spec", "template", "spec", "containers", 0, "image"));
        assertEquals("Always", backend.string("spec", "template", "spec", "containers", 0, "imagePullPolicy"));
        assertEquals("ghcr.io/acme/frontend@sha256:" + "a".repeat(64),
                run.one("kubernetes:apps/v1:Deployment", "frontend").string("spec", "template", "spec", "containers", 0, "image"));
    }

    @Test
    void aNewBackendImageGetsANewMigrationJobSoMigrationsRunOncePerRelease() {
        var first = Backend.migrationJobName("travel-app/backend:0.1.0");
        assertEquals(first, Backend.migrationJobName("travel-app/backend:0.1.0"));
        assertNotEquals(first, Backend.migrationJobName("travel-app/backend:0.2.0"));
        assertTrue(first.length() <= 63, first);
        var run = StackRun.of(StackRun.settings(Map.of("backendImage", "travel-app/backend:0.2.0")));
        assertEquals(Backend.migrationJobName("travel-app/backend:0.2.0"), run.ofType("kubernetes:batch/v1:Job").get(0).name());
    }

    @Test
    void rollingUpdatesNeverTakeAReadyPodAwayFirst() {
        var run = StackRun.ofDefaults();
        for (var name : List.of("frontend", "backend")) {
            var strategy = run.one("kubernetes:apps/v1:Deployment", name).map("spec", "strategy");
            assertEquals("RollingUpdate", strategy.get("type"), name);
            var deployment = run.one("kubernetes:apps/v1:Deployment", name);
            assertEquals(0, deployment.integer("spec", "strategy", "rollingUpdate", "maxUnavailable"), name);
            assertEquals(1, deployment.integer("spec", "strategy", "rollingUpdate", "maxSurge"), name);
            var budget = run.one("kubernetes:policy/v1:PodDisruptionBudget", name);
            assertEquals(1, budget.integer("spec", "minAvailable"), name);
        }
    }

    @Test
    void scalingTheBackendChangesTheBackendDeploymentAndNothingElse() {
        var before = StackRun.ofDefaults();
        var after = StackRun.of(StackRun.settings(Map.of("backendReplicas", "5")));
        var changed = new java.util.ArrayList<String>();
        for (var resource : after.resources) {
            var old = before.one(resource.type(), resource.name());
            if (!old.inputs().equals(resource.inputs())) {
                changed.add(resource.type() + " " + resource.name());
            }
        }
        assertEquals(List.of("kubernetes:apps/v1:Deployment backend"), changed);
        assertEquals(before.resources.size(), after.resources.size());
    }

    @Test
    void aConfigChangeRollsTheBackendPods() {
        var before = StackRun.ofDefaults().one("kubernetes:apps/v1:Deployment", "backend")
                .string("spec", "template", "metadata", "annotations", "travel-app/config-checksum");
        var after = StackRun.of(StackRun.settings(Map.of("databaseName", "trips"))).one("kubernetes:apps/v1:Deployment", "backend")
                .string("spec", "template", "metadata", "annotations", "travel-app/config-checksum");
        assertEquals(64, before.length());
        assertNotEquals(before, after);
    }
}
