package com.travelapp.infra.it.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.pulumi.automation.OperationType;
import com.travelapp.infra.backend.Backend;
import com.travelapp.infra.it.support.Http;
import com.travelapp.infra.it.support.HttpLoad;
import com.travelapp.infra.it.support.Integration;
import com.travelapp.infra.it.support.ItEnvironment;
import com.travelapp.infra.it.support.Pods;
import com.travelapp.infra.it.support.TestStack;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Scaling is a stack config change: 2 -> 5 -> 2 backend pods, each new one serving, none of the traffic lost. */
@Order(9)
@ExtendWith(Integration.class)
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class ScalingIT {
    private static final int SCALED = 5;

    private TestStack stack;
    private KubernetesClient kube;
    private String ns;
    private int replicas;

    @BeforeEach
    void deployed(ItEnvironment env) {
        stack = env.deployedStack();
        kube = env.kube();
        ns = env.localConfig("namespace");
        replicas = Integer.parseInt(env.localConfig("backendReplicas"));
    }

    private Integer readyBackends() {
        return kube.apps().deployments().inNamespace(ns).withName(Backend.NAME).get().getStatus().getReadyReplicas();
    }

    @Test
    @Order(1)
    void scalingTheBackendUpIsOneInPlaceUpdateAndEveryNewPodServesAtItsOwnAddress() {
        stack.set("backendReplicas", String.valueOf(SCALED));
        TestStack.Run preview = stack.preview();
        assertThat(preview.count(OperationType.UPDATE)).isEqualTo(1);
        assertThat(preview.count(OperationType.CREATE, OperationType.REPLACE, OperationType.CREATE_REPLACEMENT,
                OperationType.DELETE)).isZero();

        stack.up();
        await(SCALED + " backend pods Ready").atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofSeconds(2))
                .until(() -> Integer.valueOf(SCALED).equals(readyBackends()));
        List<String> late = new ArrayList<>();
        for (Pod pod : kube.pods().inNamespace(ns).withLabel("app.kubernetes.io/name", Backend.NAME).list().getItems()) {
            String readyz = "http://" + pod.getStatus().getPodIP() + ":" + Backend.PORT + "/readyz";
            int first = Http.status(readyz);
            if (first != 200) {
                late.add(pod.getMetadata().getName() + " answered " + first + " at first");
            }
            await(readyz + " answers 200").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> Http.status(readyz) == 200);
        }
        System.out.println("[it] new pods not serving on the first try (0: no answer in 10 s): " + late);
    }

    @Test
    @Order(2)
    void scalingBackDownLosesNoRequestThroughFrontendUrl() {
        if (!Integer.valueOf(SCALED).equals(readyBackends())) {
            scalingTheBackendUpIsOneInPlaceUpdateAndEveryNewPodServesAtItsOwnAddress();
        }
        stack.set("backendReplicas", String.valueOf(replicas));
        HttpLoad.Report report;
        try (HttpLoad load = new HttpLoad(stack.output("frontendUrl") + "/api/trips/", 4, Duration.ofMinutes(4))) {
            stack.up();
            await("back to " + replicas + " running backend pods").atMost(Duration.ofSeconds(120))
                    .pollInterval(Duration.ofSeconds(1)).until(() -> Pods.running(kube, ns, Backend.NAME).size() == replicas);
            report = load.stop();
        }
        System.out.println("[it] load while scaling " + SCALED + " -> " + replicas + ": " + report);
        assertThat(report.requests()).isGreaterThan(100);
        assertThat(report.failures()).isEmpty();
    }
}
