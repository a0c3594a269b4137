package com.travelapp.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.pulumi.test.PulumiTest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Egress is denied by default and opened one real flow at a time. Each flow is written here as
 * "pods -> destination ports", derived from the declared NetworkPolicies, so that a rule added,
 * widened or dropped shows up as a difference in one readable list.
 */
class EgressPolicyTest {
    private static final String POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
    /** What an empty pod selector selects in the namespace we own. */
    private static final String EVERY_POD = "*";

    @AfterEach
    void cleanup() {
        PulumiTest.cleanup();
    }

    @Test
    void everyPodOfTheNamespaceIsDeniedEgressByDefault() {
        var deny = StackRun.ofDefaults().one(POLICY, "default-deny-egress");
        assertEquals(Map.of(), deny.map("spec", "podSelector"));
        assertEquals(List.of("Egress"), deny.at("spec", "policyTypes"));
        assertEquals(null, deny.at("spec", "egress"), "a deny policy has no egress rule");
        assertEquals("travel:app:Namespace", deny.parentType());
    }

    @Test
    void inASharedNamespaceTheEgressDenyCoversOnlyOurPods() {
        var run = StackRun.of(StackRun.settings(Map.of("namespace", "default")));
        assertEquals(Map.of("app.kubernetes.io/part-of", "travel-app"),
                run.one(POLICY, "default-deny-egress").map("spec", "podSelector", "matchLabels"));
        assertEquals(Map.of("app.kubernetes.io/part-of", "travel-app"),
                run.one(POLICY, "allow-dns-egress").map("spec", "podSelector", "matchLabels"));
    }

    @Test
    void egressIsOpenedOnlyForTheStacksOwnFlows() {
        var run = StackRun.of(StackRun.settings(Map.of("grafanaEnabled", "true")));
        assertEquals(List.of(
                        "* -> pods k8s-app=kube-dns in namespace kube-system 53/UDP,53/TCP",
                        "backend -> pods postgres 5432/TCP",
                        "backend-migrations -> pods postgres 5432/TCP",
                        "frontend -> pods backend 8000/TCP",
                        "grafana -> pods prometheus 9090/TCP",
                        "postgres-backup -> pods postgres 5432/TCP",
                        "prometheus -> " + StackRun.API_SERVER_ADDRESS + "/32 " + StackRun.API_SERVER_PORT + "/TCP",
                        "prometheus -> pods backend 8000/TCP"),
                egressFlows(run));
    }

    @Test
    void everyIngressFlowBetweenOurPodsIsAlsoOpenOnTheClientsSide() {
        var run = StackRun.ofDefaults();
        var egress = egressFlows(run);
        var checked = 0;
        for (var policy : run.ofType(POLICY)) {
            var rules = policy.at("spec", "ingress");
            if (!(rules instanceof List<?> list)) {
                continue;
            }
            var target = selected(policy.map("spec", "podSelector")).get(0);
            for (var rule : list) {
                var rule0 = (Map<?, ?>) rule;
                if (rule0.get("from") == null) {
                    continue; // reached from outside the cluster (load balancer, node port): no pod of ours is the client
                }
                for (var peer : (List<?>) rule0.get("from")) {
                    var selector = castMap(((Map<?, ?>) peer).get("podSelector"));
                    for (var client : selected(selector)) {
                        var flow = client + " -> pods " + target + " " + ports(rule0.get("ports"));
                        assertTrue(egress.contains(flow), "ingress " + policy.name() + " admits " + flow + " but no egress lets it out");
                        checked++;
                    }
                }
            }
        }
        assertEquals(5, checked, "frontend and prometheus to the backend, three clients to postgres");
    }

    @Test
    void prometheusReachesTheApiServerAtTheAddressesOfItsEndpointSliceReadFromTheCluster() {
        var run = StackRun.ofDefaults();
        assertTrue(run.reads.contains("kubernetes:discovery.k8s.io/v1:EndpointSlice default/kubernetes"), run.reads.toString());
        var policy = run.one(POLICY, "allow-prometheus-egress-to-api-server");
        assertEquals("travel:app:Prometheus", policy.parentType());
    }

    @Test
    void apiServerEndpointsFromStackConfigReplaceTheReadAndNameEachAddressAndPort() {
        var run = StackRun.of(StackRun.settings(Map.of("apiServerEndpoints", "198.51.100.1:443, [fd00::1]:6443")));
        assertEquals(List.of(), run.reads, "nothing is read from the cluster");
        var flows = egressFlows(run);
        assertTrue(flows.contains("prometheus -> 198.51.100.1/32 443/TCP,6443/TCP"), flows.toString());
        assertTrue(flows.contains("prometheus -> fd00::1/128 443/TCP,6443/TCP"), flows.toString());
    }

    @Test
    void extraEgressOpensEachEntryForItsWorkloadsOnlyOrForAllOfThemWhenFromIsUnset() {
        var run = StackRun.of(StackRun.settings(Map.of("extraEgress",
                "[{\"cidr\":\"10.0.0.25/32\",\"ports\":[587],\"from\":[\"backend\",\"migrations\"]},"
                        + "{\"cidr\":\"10.244.0.1/32\",\"ports\":[\"53/UDP\",\"53/TCP\"]}]")));
        var flows = egressFlows(run);
        assertTrue(flows.contains("backend,backend-migrations -> 10.0.0.25/32 587/TCP"), flows.toString());
        assertTrue(flows.contains("backend,backend-migrations,frontend,grafana,postgres,postgres-backup,prometheus"
                + " -> 10.244.0.1/32 53/UDP,53/TCP"), flows.toString());
        assertEquals("travel:app:Namespace", run.one(POLICY, "extra-egress-0").parentType());
        assertEquals("travel:app:Namespace", run.one(POLICY, "extra-egress-1").parentType());
    }

    @Test
    void noEgressRuleLeavesItsDestinationOrPortsOpen() {
        for (var policy : StackRun.of(StackRun.settings(Map.of("grafanaEnabled", "true"))).ofType(POLICY)) {
            if (policy.at("spec", "egress") instanceof List<?> rules) {
                for (var rule : rules) {
                    var to = ((Map<?, ?>) rule).get("to");
                    var ports = ((Map<?, ?>) rule).get("ports");
                    assertTrue(to instanceof List<?> l && !l.isEmpty(), policy.name() + ": an egress rule without 'to' allows every address");
                    assertTrue(ports instanceof List<?> l && !l.isEmpty(), policy.name() + ": an egress rule without 'ports' allows every port");
                }
            }
        }
    }

    /** "pods -> destination ports" for every egress rule of the stack, sorted. */
    private static List<String> egressFlows(StackRun run) {
        var flows = new TreeSet<String>();
        for (var policy : run.ofType(POLICY)) {
            if (!(policy.at("spec", "egress") instanceof List<?> rules)) {
                continue;
            }
            var types = policy.at("spec", "policyTypes");
            assertEquals(List.of("Egress"), types, policy.name() + " declares egress rules only");
            var pods = selected(policy.map("spec", "podSelector"));
            for (var rule : rules) {
                var rule0 = (Map<?, ?>) rule;
                for (var peer : (List<?>) rule0.get("to")) {
                    var to = destination(castMap(peer));
                    var ports = ports(rule0.get("ports"));
                    if (to.startsWith("pods ") && !to.contains(" in namespace ")) {
                        // A flow between our pods: one line per client, as the ingress side admits them.
                        pods.forEach(pod -> flows.add(pod + " -> " + to + " " + ports));
                        continue;
                    }
                    flows.add(String.join(",", pods) + " -> " + to + " " + ports);
                }
            }
        }
        return new ArrayList<>(flows);
    }

    /** The app.kubernetes.io/name values a selector picks, or "*" for every pod. */
    private static List<String> selected(Map<String, Object> selector) {
        if (selector.isEmpty()) {
            return List.of(EVERY_POD);
        }
        var labels = castMap(selector.getOrDefault("matchLabels", Map.of()));
        if (labels.containsKey("app.kubernetes.io/name")) {
            return List.of((String) labels.get("app.kubernetes.io/name"));
        }
        var expressions = selector.get("matchExpressions");
        assertNotNull(expressions, "a selector of ours names pods: " + selector);
        var expression = castMap(((List<?>) expressions).get(0));
        assertEquals("In", expression.get("operator"));
        return ((List<?>) expression.get("values")).stream().map(String::valueOf).sorted().toList();
    }

    private static String destination(Map<String, Object> peer) {
        if (peer.containsKey("ipBlock")) {
            assertFalse(castMap(peer.get("ipBlock")).containsKey("except"));
            return (String) castMap(peer.get("ipBlock")).get("cidr");
        }
        var pods = castMap(peer.get("podSelector"));
        if (peer.containsKey("namespaceSelector")) {
            var namespace = castMap(castMap(peer.get("namespaceSelector")).get("matchLabels")).get("kubernetes.io/metadata.name");
            var labels = castMap(pods.get("matchLabels"));
            return "pods " + labels.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).sorted()
                    .reduce((a, b) -> a + "," + b).orElse("") + " in namespace " + namespace;
        }
        return "pods " + String.join(",", selected(pods));
    }

    private static String ports(Object ports) {
        var out = new ArrayList<String>();
        for (var port : (List<?>) ports) {
            var p = (Map<?, ?>) port;
            out.add(((Number) p.get("port")).intValue() + "/" + p.get("protocol"));
        }
        return String.join(",", out);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> castMap(Object value) {
        return value == null ? Map.of() : (Map<String, Object>) value;
    }
}
