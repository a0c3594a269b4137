package com.travelapp.infra.it.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.pulumi.automation.OperationType;
import com.travelapp.infra.backend.Backend;
import com.travelapp.infra.it.support.Http;
import com.travelapp.infra.it.support.HttpLoad;
import com.travelapp.infra.it.support.Integration;
import com.travelapp.infra.it.support.ItEnvironment;
import com.travelapp.infra.it.support.Pods;
import com.travelapp.infra.it.support.Replicas;
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

/**
 * Scaling is a stack config change: 2 -> 5 -> 2 backend pods, each new one serving, none of the
 * traffic lost. Pulumi.local.yaml autoscales the backend, and with an autoscaler backendReplicas is
 * only its minimum; so the class first turns the autoscaler off (Pulumi.yaml's default: a fixed
 * count) and at the end back on, proving both hand-overs of spec.replicas on the way.
 */
@Order(9)
@ExtendWith(Integration.class)
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class ScalingIT {
    private static final int SCALED = 5;
    private static final String AUTOSCALING = "backendAutoscaling.enabled";
    /** The field manager names of our provider's server-side applies. */
    private static final String PULUMI_MANAGER = "pulumi-kubernetes-";

    private TestStack stack;
    private KubernetesClient kube;
    private String ns;
    private int replicas;
    private String autoscaling;

    @BeforeEach
    void deployed(ItEnvironment env) {
        stack = env.deployedStack();
        kube = env.kube();
        ns = env.localConfig("namespace");
        replicas = Integer.parseInt(env.localConfig("backendReplicas"));
        autoscaling = env.localConfig(AUTOSCALING);
    }

    @Test
    @Order(1)
    void turningTheAutoscalerOffDeletesItAndHandsTheReplicaCountBackToTheStack() {
        assumeTrue("true".equals(autoscaling), "Pulumi.local.yaml does not autoscale the backend");
        Replicas.awaitAtRest(kube, ns, Backend.NAME, replicas, Duration.ofMinutes(5));
        stack.set(AUTOSCALING, "false");
        TestStack.Run preview = stack.preview();
        assertThat(preview.count(OperationType.UPDATE)).as("updates: the Deployment declares spec.replicas again").isEqualTo(1);
        assertThat(preview.count(OperationType.DELETE)).as("deletes: the HorizontalPodAutoscaler").isEqualTo(1);
        assertThat(preview.count(OperationType.CREATE, OperationType.REPLACE, OperationType.CREATE_REPLACEMENT)).isZero();

        stack.up();
        assertThat(Replicas.autoscaler(kube, ns, Backend.NAME)).as("the backend's HorizontalPodAutoscaler").isNull();
        assertThat(Replicas.desired(kube, ns, Backend.NAME)).isEqualTo(replicas);
        assertThat(Replicas.owners(kube, ns, Backend.NAME)).as("owners of spec.replicas")
                .anyMatch(owner -> owner.startsWith(PULUMI_MANAGER));
    }

    private Integer readyBackends() {
        return kube.apps().deployments().inNamespace(ns).withName(Backend.NAME).get().getStatus().getReadyReplicas();
    }

    @Test
    @Order(2)
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
    @Order(3)
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

    /**
     * Leaving spec.replicas out of our apply gives up our ownership, and with no other owner the API
     * server resets the field to its default, 1, until the new autoscaler's first sync raises it to
     * its minimum (docs/operations.md, Autoscale): printed, the pods counted at the end.
     */
    @Test
    @Order(4)
    void turningTheAutoscalerBackOnLeavesTheCountToItFromItsMinimum() {
        assumeTrue("true".equals(autoscaling), "Pulumi.local.yaml does not autoscale the backend");
        Replicas.awaitAtRest(kube, ns, Backend.NAME, replicas, Duration.ofMinutes(3));
        stack.set(AUTOSCALING, autoscaling);
        TestStack.Run preview = stack.preview();
        assertThat(preview.count(OperationType.UPDATE)).as("updates: the Deployment leaves spec.replicas out").isEqualTo(1);
        assertThat(preview.count(OperationType.CREATE)).as("creates: the HorizontalPodAutoscaler").isEqualTo(1);
        assertThat(preview.count(OperationType.DELETE, OperationType.REPLACE, OperationType.CREATE_REPLACEMENT)).isZero();

        try (Replicas.Curve curve = new Replicas.Curve(kube, ns, Backend.NAME, Duration.ofSeconds(1))) {
            stack.up();
            Replicas.awaitAtRest(kube, ns, Backend.NAME, replicas, Duration.ofMinutes(3));
            int fewest = curve.samples().stream().mapToInt(Replicas.Curve.Sample::desired).min().orElse(replicas);
            long below = curve.samples().stream().filter(sample -> sample.desired() < replicas).count();
            System.out.println("[it] turning the autoscaler on: the Deployment wanted as few as " + fewest + " pod(s), for about "
                    + below + " s, before the autoscaler's minimum " + replicas + "; back at rest "
                    + curve.secondsSinceStart() + " s after the up began");
        }
        assertThat(Replicas.autoscaler(kube, ns, Backend.NAME)).as("the backend's HorizontalPodAutoscaler").isNotNull();
        assertThat(Replicas.owners(kube, ns, Backend.NAME)).as("owners of spec.replicas")
                .noneMatch(owner -> owner.startsWith(PULUMI_MANAGER));
    }
}
