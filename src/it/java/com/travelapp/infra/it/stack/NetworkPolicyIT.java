package com.travelapp.infra.it.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import com.travelapp.infra.backend.Backend;
import com.travelapp.infra.database.Database;
import com.travelapp.infra.frontend.Frontend;
import com.travelapp.infra.it.support.Command;
import com.travelapp.infra.it.support.Integration;
import com.travelapp.infra.it.support.ItEnvironment;
import com.travelapp.infra.it.support.LocalCluster;
import com.travelapp.infra.it.support.Pods;
import com.travelapp.infra.monitoring.Prometheus;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The NetworkPolicies are enforced on the node (by Cilium), not only declared, in both directions:
 * the allowed flows connect and denied ones time out. Probes connect to addresses, not names (a
 * DNS fault must not pass for a policy verdict); when one does not get its expected answer,
 * Cilium's drop counters and CoreDNS's last lines are printed. "Outside the cluster" is an address
 * of the documentation range (198.51.100.0/24) that this test puts on the host's loopback and
 * listens on: reachable from every pod were it not for the policies, as the last test shows by
 * opening it with {@code extraEgress}.
 */
@Order(5)
@ExtendWith(Integration.class)
@Timeout(value = 8, unit = TimeUnit.MINUTES)
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
    void ciliumLoadBalancesTheBackendsClusterIpSoEgressPolicySeesTheBackendPods() {
        String backendIp = kube.services().inNamespace(ns).withName(Backend.NAME).get().getSpec().getClusterIP();
        var frontends = new ArrayList<String>();
        for (JsonElement service : JsonParser.parseString(cluster.ciliumDbg("service", "list", "-o", "json").orFail())
                .getAsJsonArray()) {
            frontends.add(service.getAsJsonObject().getAsJsonObject("spec").getAsJsonObject("frontend-address")
                    .get("ip").getAsString());
        }
        assertThat(frontends).contains(backendIp);
    }

    @Test
    @Order(3)
    void ciliumEnforcesIngressAndEgressPolicyOnEveryPodOfTheStack() {
        for (var pod : kube.pods().inNamespace(ns).list().getItems()) {
            if (!"Running".equals(pod.getStatus().getPhase())) {
                continue;
            }
            var endpoint = kube.genericKubernetesResources("cilium.io/v2", "CiliumEndpoint").inNamespace(ns)
                    .withName(pod.getMetadata().getName()).get();
            Object id = ((java.util.Map<?, ?>) endpoint.getAdditionalProperties().get("status")).get("id");
            String enabled = cluster.ciliumDbg("endpoint", "get", String.valueOf(((Number) id).longValue()), "-o",
                    "jsonpath={[0].status.policy.realized.policy-enabled}").orFail().strip();
            assertThat(enabled).as(pod.getMetadata().getName()).isEqualTo("both");
        }
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
        assertDropped(probe(pod(Frontend.NAME), postgresIp(), Database.PORT, test));
    }

    @Test
    @Order(7)
    void aFrontendPodCannotOpenTheApiServerNeitherItsServiceNorItsEndpoint(TestInfo test) {
        String clusterIp = kube.services().inNamespace("default").withName("kubernetes").get().getSpec().getClusterIP();
        assertDropped(probe(pod(Frontend.NAME), clusterIp, 443, test));
        var slice = kube.discovery().v1().endpointSlices().inNamespace("default").withName("kubernetes").get();
        assertDropped(probe(pod(Frontend.NAME), slice.getEndpoints().get(0).getAddresses().get(0),
                slice.getPorts().get(0).getPort(), test));
    }

    @Test
    @Order(8)
    void prometheusOpensTheApiServerThroughItsOwnEgressRule(TestInfo test) {
        String clusterIp = kube.services().inNamespace("default").withName("kubernetes").get().getSpec().getClusterIP();
        String answer = probe(pod(Prometheus.NAME), clusterIp, 443, test);
        if (!"open".equals(answer)) {
            printDiagnostics();
        }
        assertThat(answer).isEqualTo("open");
    }

    @Test
    @Order(9)
    void neitherAFrontendNorABackendPodCanOpenAnAddressOutsideTheCluster(TestInfo test) throws IOException {
        try (var outside = new OutsideListener()) {
            assertDropped(probe(pod(Frontend.NAME), OutsideListener.ADDRESS, outside.port(), test));
            assertDropped(probe(pod(Backend.NAME), OutsideListener.ADDRESS, outside.port(), test));
        }
    }

    @Test
    @Order(10)
    void extraEgressOpensExactlyTheAddressItNamesForTheWorkloadsItNames(ItEnvironment env, TestInfo test) throws IOException {
        var stack = env.deployedStack();
        String before = stack.get("extraEgress").orElse("");
        try (var outside = new OutsideListener()) {
            // The local stack's own entries stay; one more for the backend only.
            var entries = JsonParser.parseString(before.isEmpty() ? "[]" : before).getAsJsonArray();
            entries.add(JsonParser.parseString("{\"cidr\": \"" + OutsideListener.ADDRESS + "/32\", \"ports\": ["
                    + outside.port() + "], \"from\": [\"backend\"]}"));
            stack.set("extraEgress", entries.toString());
            stack.up();
            await("the backend opens " + OutsideListener.ADDRESS).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(2))
                    .until(() -> "open".equals(probe(pod(Backend.NAME), OutsideListener.ADDRESS, outside.port(), test)));
            assertDropped(probe(pod(Frontend.NAME), OutsideListener.ADDRESS, outside.port(), test));
        } finally {
            if (before.isEmpty()) {
                stack.remove("extraEgress");
            } else {
                stack.set("extraEgress", before);
            }
            stack.up();
        }
    }

    private void assertDropped(String answer) {
        if (!answer.contains("timed out")) {
            printDiagnostics();
        }
        assertThat(answer).contains("timed out");
    }

    /**
     * A TCP listener on an address outside the cluster: one of the documentation range on the
     * host's loopback, which pods reach through their default route to the node. Accepts and
     * closes; the address is removed on close.
     */
    private static final class OutsideListener implements AutoCloseable {
        static final String ADDRESS = "198.51.100.7";
        private final ServerSocket socket;
        private final Thread acceptor;

        OutsideListener() throws IOException {
            Command.run(Path.of("."), Map.of(), Duration.ofSeconds(10),
                    List.of("ip", "address", "replace", ADDRESS + "/32", "dev", "lo")).orFail();
            socket = new ServerSocket(0, 50, InetAddress.getByName(ADDRESS));
            acceptor = new Thread(() -> {
                while (!socket.isClosed()) {
                    try (Socket ignored = socket.accept()) {
                        // Connection established is all a probe checks.
                    } catch (IOException e) {
                        return;
                    }
                }
            }, "outside-listener");
            acceptor.setDaemon(true);
            acceptor.start();
            // The listener itself answers: a timeout from a pod is then the policy's, not a dead port's.
            try (Socket self = new Socket()) {
                self.connect(new InetSocketAddress(ADDRESS, port()), 2000);
            }
        }

        int port() {
            return socket.getLocalPort();
        }

        @Override
        public void close() throws IOException {
            socket.close();
            Command.run(Path.of("."), Map.of(), Duration.ofSeconds(10),
                    List.of("ip", "address", "del", ADDRESS + "/32", "dev", "lo"));
        }
    }
}
