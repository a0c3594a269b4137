package com.travelapp.infra.it.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import com.travelapp.infra.backend.Backend;
import com.travelapp.infra.database.Database;
import com.travelapp.infra.frontend.Frontend;
import com.travelapp.infra.it.support.Integration;
import com.travelapp.infra.it.support.ItEnvironment;
import com.travelapp.infra.it.support.LocalCluster;
import com.travelapp.infra.it.support.Pods;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The NetworkPolicies are enforced on the node (by Cilium), not only declared: the allowed flows
 * connect and a denied one times out. Probes connect to addresses, not names (a DNS fault must not
 * pass for a policy verdict); when one does not get its expected answer, Cilium's drop counters
 * and CoreDNS's last lines are printed.
 */
@Order(5)
@ExtendWith(Integration.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class NetworkPolicyIT {
    private LocalCluster cluster;
    private KubernetesClient kube;
    private String ns;
    private String image;

    @BeforeEach
    void deployed(ItEnvironment env) {
        env.deployedStack();
        cluster = env.cluster();
        kube = cluster.client();
        ns = env.localConfig("namespace");
        image = env.localConfig("backendImage");
    }

    private String pod(String name) {
        return Pods.running(kube, ns, name).get(0).getMetadata().getName();
    }

    private String postgresIp() {
        return kube.pods().inNamespace(ns).withName(Database.NAME + "-0").get().getStatus().getPodIP();
    }

    private String probe(String fromPod, String address, int port, TestInfo test) {
        String answer = Pods.connectFrom(kube, ns, fromPod, image, address, port);
        System.out.printf("[it] %s: %s -> %s:%d: %s%n", test.getDisplayName(), fromPod, address, port, answer);
        return answer;
    }

    private void printDiagnostics() {
        for (JsonElement metric : JsonParser.parseString(cluster.ciliumDbg("metrics", "list", "-o", "json").output()).getAsJsonArray()) {
            var m = metric.getAsJsonObject();
            if ("cilium_drop_count_total".equals(m.get("name").getAsString()) && m.get("value").getAsDouble() > 0) {
                System.out.println("    cilium drops: " + m.get("labels") + " " + m.get("value"));
            }
        }
        System.out.println("    coredns: " + com.travelapp.infra.it.support.Command.tail(
                readOrEmpty(cluster.logs().resolve("coredns.log")), 5));
    }

    private static String readOrEmpty(java.nio.file.Path file) {
        try {
            return java.nio.file.Files.readString(file);
        } catch (java.io.IOException e) {
            return "";
        }
    }

    @Test
    @Order(1)
    void ciliumHasRealizedThePolicyOfEveryEndpointOnTheNode() {
        await("every Cilium endpoint ready").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(2))
                .untilAsserted(() -> {
                    List<String> notReady = new ArrayList<>();
                    for (JsonElement e : JsonParser.parseString(cluster.ciliumDbg("endpoint", "list", "-o", "json").orFail())
                            .getAsJsonArray()) {
                        String state = e.getAsJsonObject().getAsJsonObject("status").get("state").getAsString();
                        if (!"ready".equals(state)) {
                            notReady.add(e.getAsJsonObject().get("id") + ":" + state);
                        }
                    }
                    assertThat(notReady).isEmpty();
                });
    }

    @Test
    @Order(2)
    void ciliumLoadBalancesNoServiceSoKubeProxyIsTheOneServiceImplementation() {
        assertThat(JsonParser.parseString(cluster.ciliumDbg("service", "list", "-o", "json").orFail()).getAsJsonArray())
                .isEmpty();
    }

    @Test
    @Order(3)
    void ciliumEnforcesIngressPolicyOnPostgres0() {
        var endpoint = kube.genericKubernetesResources("cilium.io/v2", "CiliumEndpoint").inNamespace(ns)
                .withName(Database.NAME + "-0").get();
        Object id = ((java.util.Map<?, ?>) endpoint.getAdditionalProperties().get("status")).get("id");
        String enabled = cluster.ciliumDbg("endpoint", "get", String.valueOf(((Number) id).longValue()), "-o",
                "jsonpath={[0].status.policy.realized.policy-enabled}").orFail().strip();
        assertThat(enabled).isIn("ingress", "both");
    }

    @Test
    @Order(4)
    void aBackendPodCanOpenPostgres(TestInfo test) {
        String answer = probe(pod(Backend.NAME), postgresIp(), Database.PORT, test);
        if (!"open".equals(answer)) {
            printDiagnostics();
        }
        assertThat(answer).isEqualTo("open");
    }

    @Test
    @Order(5)
    void aFrontendPodCanOpenTheBackendServiceItProxiesTo(TestInfo test) {
        String backendIp = kube.services().inNamespace(ns).withName(Backend.NAME).get().getSpec().getClusterIP();
        String answer = probe(pod(Frontend.NAME), backendIp, Backend.PORT, test);
        if (!"open".equals(answer)) {
            printDiagnostics();
        }
        assertThat(answer).isEqualTo("open");
    }

    @Test
    @Order(6)
    void aFrontendPodCannotOpenPostgresItsPacketsAreDropped(TestInfo test) {
        String answer = probe(pod(Frontend.NAME), postgresIp(), Database.PORT, test);
        if (!answer.contains("timed out")) {
            printDiagnostics();
        }
        assertThat(answer).contains("timed out");
    }
}
