package com.travelapp.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.pulumi.test.PulumiTest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The HorizontalPodAutoscalers of frontendAutoscaling and backendAutoscaling, and how their Deployments leave the count to them. */
class AutoscalingTest {
    private static final String HPA = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler";
    private static final String DEPLOYMENT = "kubernetes:apps/v1:Deployment";

    /** Both tiers autoscaled, as in Pulumi.local.yaml, with the backend's scale-down window shortened. */
    private static final Map<String, String> BOTH = Map.of(
            "frontendAutoscaling", "{\"enabled\":true,\"maxReplicas\":4}",
            "backendReplicas", "3",
            "backendAutoscaling", "{\"enabled\":true,\"maxReplicas\":6,\"targetCpuUtilization\":60,\"scaleDownStabilizationSeconds\":30}");

    private static StackRun both;

    @AfterEach
    void cleanup() {
        PulumiTest.cleanup();
    }

    private static synchronized StackRun both() {
        if (both == null) {
            both = StackRun.of(StackRun.settings(BOTH));
        }
        return both;
    }

    @Test
    void byDefaultNoTierIsAutoscaledAndEachDeploymentDeclaresItsReplicaCount() {
        var run = StackRun.ofDefaults();
        assertEquals(List.of(), run.ofType(HPA));
        assertEquals(2, run.one(DEPLOYMENT, "frontend").integer("spec", "replicas"));
        assertEquals(2, run.one(DEPLOYMENT, "backend").integer("spec", "replicas"));
    }

    @ParameterizedTest(name = "the {0} HorizontalPodAutoscaler is declared inside {1}")
    @CsvSource({"frontend, travel:app:Frontend", "backend, travel:app:Backend"})
    void eachAutoscaledTiersAutoscalerIsDeclaredByItsComponentAfterItsDeployment(String tier, String component) {
        var run = both();
        assertEquals(List.of(), run.result.exceptions(), "the program threw");
        assertEquals(List.of(), run.result.errors(), "the program logged errors");
        var hpa = run.one(HPA, tier);
        assertEquals(component, hpa.parentType());
        var dependsOn = StackRun.value(run.options(HPA, tier).getDependsOn()).stream()
                .map(r -> r.pulumiResourceType() + " " + r.pulumiResourceName()).toList();
        assertEquals(List.of(DEPLOYMENT + " " + tier), dependsOn, "created once the Deployment it scales exists");
    }

    @Test
    void theBackendsAutoscalerScalesItsDeploymentBetweenBackendReplicasAndMaxReplicasOnCpu() {
        var run = both();
        var hpa = run.one(HPA, "backend");
        var deployment = run.one(DEPLOYMENT, "backend");
        assertEquals("backend", hpa.string("metadata", "name"));
        assertEquals("travel-app", hpa.string("metadata", "namespace"));
        assertEquals(deployment.map("metadata", "labels"), hpa.map("metadata", "labels"));
        assertEquals(Map.of("apiVersion", "apps/v1", "kind", "Deployment", "name", "backend"), hpa.map("spec", "scaleTargetRef"));
        assertEquals(3, hpa.integer("spec", "minReplicas"), "backendReplicas is the fewest pods");
        assertEquals(6, hpa.integer("spec", "maxReplicas"));
        assertEquals(List.of(Map.of("type", "Resource", "resource", Map.of("name", "cpu",
                "target", Map.of("type", "Utilization", "averageUtilization", 60)))), numbersAsInts(hpa.at("spec", "metrics")));
    }

    @Test
    void theFrontendsAutoscalerTakesTheDefaultTargetAndFrontendReplicasAsItsMinimum() {
        var hpa = both().one(HPA, "frontend");
        assertEquals(Map.of("apiVersion", "apps/v1", "kind", "Deployment", "name", "frontend"), hpa.map("spec", "scaleTargetRef"));
        assertEquals(2, hpa.integer("spec", "minReplicas"));
        assertEquals(4, hpa.integer("spec", "maxReplicas"));
        assertEquals(70, hpa.integer("spec", "metrics", 0, "resource", "target", "averageUtilization"));
    }

    @Test
    void scalingOutIsImmediateAndScalingInWaitsForItsWindowThenTakesAtMostHalfThePodsAMinute() {
        var run = both();
        var scaleUp = Map.of("stabilizationWindowSeconds", 0, "selectPolicy", "Max", "policies", List.of(
                Map.of("type", "Pods", "value", 4, "periodSeconds", 15),
                Map.of("type", "Percent", "value", 100, "periodSeconds", 15)));
        var scaleDown = List.of(Map.of("type", "Percent", "value", 50, "periodSeconds", 60));
        assertEquals(Map.of("scaleUp", scaleUp, "scaleDown", Map.of("stabilizationWindowSeconds", 30, "selectPolicy", "Max",
                "policies", scaleDown)), numbersAsInts(run.one(HPA, "backend").at("spec", "behavior")));
        assertEquals(Map.of("scaleUp", scaleUp, "scaleDown", Map.of("stabilizationWindowSeconds", 300, "selectPolicy", "Max",
                "policies", scaleDown)), numbersAsInts(run.one(HPA, "frontend").at("spec", "behavior")),
                "the default window: 5 minutes");
    }

    @ParameterizedTest(name = "the autoscaled {0} Deployment leaves spec.replicas out")
    @CsvSource({"frontend", "backend"})
    void anAutoscaledDeploymentLeavesItsReplicaCountToTheAutoscaler(String tier) {
        var spec = both().one(DEPLOYMENT, tier).map("spec");
        assertFalse(spec.containsKey("replicas"), "spec.replicas of " + tier + ": " + spec.get("replicas"));
        assertNotNull(spec.get("template"));
    }

    @Test
    void aTierWithoutAutoscalingKeepsItsCountWhileTheOtherIsAutoscaled() {
        var run = StackRun.of(StackRun.settings(Map.of("backendAutoscaling", "{\"enabled\":true}", "frontendReplicas", "3")));
        assertEquals(List.of("backend"), run.ofType(HPA).stream().map(StackRun.Registered::name).toList());
        assertEquals(3, run.one(DEPLOYMENT, "frontend").integer("spec", "replicas"));
        assertFalse(run.one(DEPLOYMENT, "backend").map("spec").containsKey("replicas"));
    }

    @ParameterizedTest(name = "the {0} Deployment's apply wins field conflicts, autoscaled or not")
    @CsvSource({"frontend", "backend"})
    void theTiersDeploymentsForceTheirApplySoThatTurningAutoscalingOffTakesTheCountBack(String tier) {
        for (var run : List.of(StackRun.ofDefaults(), both())) {
            assertEquals("true", run.one(DEPLOYMENT, tier).string("metadata", "annotations", "pulumi.com/patchForce"), tier);
        }
        assertEquals(null, StackRun.ofDefaults().one(DEPLOYMENT, "prometheus").string("metadata", "annotations",
                "pulumi.com/patchForce"), "no autoscaler ever scales Prometheus");
    }

    @ParameterizedTest(name = "every {0} container has a CPU request to measure utilization against")
    @CsvSource({"frontend", "backend"})
    void everyContainerOfAnAutoscaledTierHasACpuRequest(String tier) {
        for (var container : both().one(DEPLOYMENT, tier).list("spec", "template", "spec", "containers")) {
            @SuppressWarnings("unchecked")
            var requests = ((Map<String, Map<String, Object>>) container.get("resources")).get("requests");
            assertNotNull(requests.get("cpu"), tier + " container " + container.get("name"));
        }
    }

    @ParameterizedTest(name = "a {0} pod taken away by a scale-in serves 5 s more while its endpoint goes")
    @CsvSource({"frontend", "backend"})
    void aPodOfAnAutoscaledTierKeepsServingWhileItsEndpointIsRemoved(String tier) {
        var container = both().one(DEPLOYMENT, tier).map("spec", "template", "spec", "containers", 0);
        assertEquals(Map.of("preStop", Map.of("exec", Map.of("command", List.of("sleep", "5")))), container.get("lifecycle"));
    }

    @Test
    void turningAutoscalingOnChangesOnlyTheTiersDeploymentAndAddsItsAutoscaler() {
        var before = StackRun.ofDefaults();
        var after = StackRun.of(StackRun.settings(Map.of("backendAutoscaling", "{\"enabled\":true}")));
        var changed = new ArrayList<String>();
        for (var resource : after.resources) {
            var old = before.resources.stream()
                    .filter(r -> r.type().equals(resource.type()) && r.name().equals(resource.name())).findFirst();
            if (old.isEmpty()) {
                changed.add("+ " + resource.type() + " " + resource.name());
            } else if (!old.get().inputs().equals(resource.inputs())) {
                changed.add("~ " + resource.type() + " " + resource.name());
            }
        }
        assertEquals(List.of("~ " + DEPLOYMENT + " backend", "+ " + HPA + " backend"), changed);
        var spec = new java.util.HashMap<>(before.one(DEPLOYMENT, "backend").map("spec"));
        spec.remove("replicas");
        assertEquals(spec, after.one(DEPLOYMENT, "backend").map("spec"), "only spec.replicas goes: the pods do not roll");
    }

    /** The mocks hand numbers back as doubles; the program declared integers. */
    private static Object numbersAsInts(Object value) {
        if (value instanceof Number number) {
            assertTrue(number.doubleValue() == Math.rint(number.doubleValue()), "not a whole number: " + number);
            return number.intValue();
        }
        if (value instanceof Map<?, ?> map) {
            var result = new java.util.LinkedHashMap<Object, Object>();
            map.forEach((k, v) -> result.put(k, numbersAsInts(v)));
            return result;
        }
        if (value instanceof List<?> list) {
            return list.stream().map(AutoscalingTest::numbersAsInts).toList();
        }
        return value;
    }
}
