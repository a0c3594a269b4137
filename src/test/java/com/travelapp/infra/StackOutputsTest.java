package com.travelapp.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.pulumi.test.PulumiTest;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class StackOutputsTest {
    @AfterEach
    void cleanup() {
        PulumiTest.cleanup();
    }

    @Test
    void theStackExportsValuesNeverWholeResources() {
        var run = StackRun.ofDefaults();
        assertEquals(Set.of("namespace", "frontendUrl", "frontendServiceType", "backendHost", "databaseHost",
                "prometheusNodePort", "prometheusUrl", "grafanaNodePort", "grafanaUrl", "grafanaAdminUser",
                "grafanaAdminPassword", "frontendReplicas", "backendReplicas", "databaseReplicas", "backupSchedule",
                "backupRetention", "backupVolume"), run.result.outputs().keySet());
        for (var name : run.result.outputs().keySet()) {
            var value = run.output(name);
            assertTrue(value instanceof String || value instanceof Number, name + " is a " + value.getClass());
        }
    }

    @Test
    void theOutputsDescribeTheDeployedArchitecture() {
        var run = StackRun.ofDefaults();
        assertEquals("travel-app", run.output("namespace"));
        assertEquals("LoadBalancer", run.output("frontendServiceType"));
        assertEquals("backend.travel-app.svc", run.output("backendHost"));
        assertEquals("postgres.travel-app.svc", run.output("databaseHost"));
        assertEquals(30090, run.output("prometheusNodePort"));
        assertEquals("http://localhost:30090", run.output("prometheusUrl"));
        assertEquals(30300, run.output("grafanaNodePort"));
        assertEquals("http://localhost:30300", run.output("grafanaUrl"));
        assertEquals("admin", run.output("grafanaAdminUser"));
        assertEquals(2, run.output("frontendReplicas"));
        assertEquals(2, run.output("backendReplicas"));
        assertEquals(1, run.output("databaseReplicas"));
    }

    @Test
    void grafanaUrlSaysGrafanaIsNotDeployedWhenDisabled() {
        var disabled = StackRun.of(StackRun.settings(Map.of("grafanaEnabled", "false")));
        assertEquals("not deployed (grafanaEnabled=false)", disabled.output("grafanaUrl"));
        var enabled = (String) StackRun.ofDefaults().output("grafanaUrl");
        assertTrue(enabled.startsWith("http://"), "with Grafana deployed, grafanaUrl is its address: " + enabled);
    }

    @Test
    void withGrafanaDisabledNoGrafanaPortUserOrPasswordIsExported() {
        var run = StackRun.of(StackRun.settings(Map.of("grafanaEnabled", "false")));
        assertEquals(Set.of("namespace", "frontendUrl", "frontendServiceType", "backendHost", "databaseHost",
                "prometheusNodePort", "prometheusUrl", "grafanaUrl", "frontendReplicas", "backendReplicas",
                "databaseReplicas", "backupSchedule", "backupRetention", "backupVolume"), run.result.outputs().keySet());
        assertEquals(30090, run.output("prometheusNodePort"));
        assertEquals("http://localhost:30090", run.output("prometheusUrl"));
    }

    @Test
    void anAutoscaledTierExportsTheRangeItsAutoscalerKeepsInsteadOfAReplicaCount() {
        var run = StackRun.of(StackRun.settings(Map.of("backendReplicas", "3",
                "backendAutoscaling", "{\"enabled\":true,\"maxReplicas\":6}")));
        var outputs = run.result.outputs().keySet();
        assertTrue(outputs.containsAll(Set.of("backendMinReplicas", "backendMaxReplicas", "frontendReplicas")), outputs.toString());
        assertFalse(outputs.contains("backendReplicas"), "the count of the moment is the autoscaler's, not a stack output");
        assertFalse(outputs.contains("frontendMinReplicas") || outputs.contains("frontendMaxReplicas"), outputs.toString());
        assertEquals(3, run.output("backendMinReplicas"));
        assertEquals(6, run.output("backendMaxReplicas"));
        assertEquals(2, run.output("frontendReplicas"));

        var both = StackRun.of(StackRun.settings(Map.of("frontendAutoscaling", "{\"enabled\":true}",
                "backendAutoscaling", "{\"enabled\":true}"))).result.outputs().keySet();
        assertTrue(both.containsAll(Set.of("frontendMinReplicas", "frontendMaxReplicas", "backendMinReplicas",
                "backendMaxReplicas", "databaseReplicas")), both.toString());
        assertFalse(both.contains("frontendReplicas") || both.contains("backendReplicas"), both.toString());
    }

    @Test
    void aPendingLoadBalancerGivesAHintNotAnException() {
        var url = (String) StackRun.ofDefaults().output("frontendUrl");
        assertTrue(url.startsWith("pending: the LoadBalancer has no address yet"), url);
    }

    @Test
    void theFrontendUrlIsTheLoadBalancerIpOnceAssigned() {
        var run = StackRun.of(StackRun.defaults(), Optional.of(Map.of("ip", "203.0.113.10")));
        assertEquals("http://203.0.113.10:3000", run.output("frontendUrl"));
    }

    @Test
    void aLoadBalancerHostnameIsPreferredOverItsIp() {
        var run = StackRun.of(StackRun.defaults(), Optional.of(Map.of("hostname", "lb.example.com", "ip", "203.0.113.10")));
        assertEquals("http://lb.example.com:3000", run.output("frontendUrl"));
    }

    @Test
    void aNodePortFrontendUrlUsesTheNodeAddressAndPort() {
        var run = StackRun.of(StackRun.settings(Map.of("frontendServiceType", "NodePort", "frontendNodePort", "30080",
                "nodeAddress", "192.0.2.7")));
        assertEquals("http://192.0.2.7:30080", run.output("frontendUrl"));
        assertEquals("http://192.0.2.7:30090", run.output("prometheusUrl"));
    }

    @Test
    void aClusterIpFrontendUrlSaysHowToReachIt() {
        var run = StackRun.of(StackRun.settings(Map.of("frontendServiceType", "ClusterIP")));
        assertEquals("not exposed outside the cluster: kubectl -n travel-app port-forward service/frontend 3000:3000,"
                + " then open http://localhost:3000", run.output("frontendUrl"));
    }
}
