package com.travelapp.infra.it.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.gson.JsonObject;
import com.travelapp.infra.backend.Backend;
import com.travelapp.infra.database.Database;
import com.travelapp.infra.it.support.Http;
import com.travelapp.infra.it.support.Integration;
import com.travelapp.infra.it.support.ItEnvironment;
import com.travelapp.infra.it.support.LocalCluster;
import com.travelapp.infra.it.support.Pods;
import com.travelapp.infra.it.support.Replicas;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** The cluster heals the stack by itself: a killed process restarts, a deleted pod is replaced, the database comes back on its data. */
@Order(12)
@ExtendWith(Integration.class)
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class SelfHealingIT {
    private LocalCluster cluster;
    private KubernetesClient kube;
    private String ns;
    private String url;
    private int replicas;

    @BeforeEach
    void deployed(ItEnvironment env) {
        url = env.deployedStack().output("frontendUrl");
        cluster = env.cluster();
        kube = cluster.client();
        ns = env.localConfig("namespace");
        replicas = Integer.parseInt(env.localConfig("backendReplicas"));
        // RollingUpdateIT's load may have left the autoscaler holding more pods: start from its minimum.
        Replicas.awaitAtRest(kube, ns, Backend.NAME, replicas, Duration.ofMinutes(5));
    }

    @Test
    @Order(1)
    void aBackendWhoseGunicornMasterIsKilledOnTheHostIsRestartedAndReadyAgain() {
        Pod victim = Pods.running(kube, ns, Backend.NAME).get(0);
        String name = victim.getMetadata().getName();
        int restarts = Pods.firstContainer(victim).getRestartCount();
        long pid = cluster.hostPid(Pods.firstContainer(victim).getContainerID());
        assertThat(ProcessHandle.of(pid).orElseThrow().destroyForcibly()).isTrue();

        await("the kubelet restarts " + name + " (SIGKILL to host pid " + pid + ") and it turns Ready")
                .atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1))
                .untilAsserted(() -> {
                    var status = Pods.firstContainer(kube.pods().inNamespace(ns).withName(name).get());
                    assertThat(status.getRestartCount()).isGreaterThan(restarts);
                    assertThat(status.getReady()).isTrue();
                });
    }

    @Test
    @Order(2)
    void aDeletedBackendPodIsReplacedByAReadyOne() {
        String victim = Pods.running(kube, ns, Backend.NAME).get(0).getMetadata().getName();
        kube.pods().inNamespace(ns).withName(victim).delete();

        await("a replacement for " + victim + " is Ready").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1))
                .until(() -> kube.pods().inNamespace(ns).withName(victim).get() == null
                        && Integer.valueOf(replicas).equals(kube.apps().deployments().inNamespace(ns).withName(Backend.NAME)
                                .get().getStatus().getReadyReplicas()));
    }

    @Test
    @Order(3)
    void aDeletedPostgres0ComesBackOnTheSameVolumeWithItsData() {
        JsonObject trip = Http.json(Http.postJson(url + "/api/trips/", TripJson.trip("Before postgres-0 is deleted", 1,
                firstDestination(url)))).getAsJsonObject();
        String id = trip.get("id").getAsString();
        String claim = Database.DATA_VOLUME + "-" + Database.NAME + "-0";
        String volume = kube.persistentVolumeClaims().inNamespace(ns).withName(claim).get().getSpec().getVolumeName();
        String uid = kube.pods().inNamespace(ns).withName(Database.NAME + "-0").get().getMetadata().getUid();

        kube.pods().inNamespace(ns).withName(Database.NAME + "-0").delete();

        await("postgres-0 is back and Ready").atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofSeconds(1))
                .ignoreExceptions().until(() -> !uid.equals(kube.pods().inNamespace(ns).withName(Database.NAME + "-0").get()
                        .getMetadata().getUid())
                        && Integer.valueOf(1).equals(kube.apps().statefulSets().inNamespace(ns).withName(Database.NAME).get()
                                .getStatus().getReadyReplicas()));
        assertThat(kube.persistentVolumeClaims().inNamespace(ns).withName(claim).get().getSpec().getVolumeName())
                .isEqualTo(volume);
        await("the trip is served again through frontendUrl").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
                .ignoreExceptions().untilAsserted(() -> assertThat(Http.json(Http.get(url + "/api/trips/" + id + "/"))
                        .getAsJsonObject().get("title").getAsString()).isEqualTo("Before postgres-0 is deleted"));
        assertThat(Http.delete(url + "/api/trips/" + id + "/").statusCode()).isEqualTo(204);
        assertThat(Http.status(url + "/api/trips/" + id + "/")).isEqualTo(404);
    }

    static int firstDestination(String url) {
        var destinations = Http.json(Http.get(url + "/api/destinations/"));
        var list = destinations.isJsonObject() ? destinations.getAsJsonObject().getAsJsonArray("results")
                : destinations.getAsJsonArray();
        return list.get(0).getAsJsonObject().get("id").getAsInt();
    }
}
