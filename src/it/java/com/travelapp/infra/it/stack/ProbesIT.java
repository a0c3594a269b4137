package com.travelapp.infra.it.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.travelapp.infra.backend.Backend;
import com.travelapp.infra.database.Database;
import com.travelapp.infra.it.support.Integration;
import com.travelapp.infra.it.support.ItEnvironment;
import com.travelapp.infra.it.support.LocalCluster;
import com.travelapp.infra.it.support.Pods;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Readiness and liveness ask different questions: a PostgreSQL that stops answering for longer
 * than its readiness probe tolerates, but not as long as its liveness probe does, is taken out of
 * the Service and let back in, and never restarted.
 */
@Order(13)
@ExtendWith(Integration.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ProbesIT {
    private static final String POD = Database.NAME + "-0";
    /** Beyond readiness's worst case, so that NotReady is certain, and again before liveness's earliest restart. */
    private static final Duration MARGIN = Duration.ofSeconds(10);

    private LocalCluster cluster;
    private KubernetesClient kube;
    private String ns;

    @BeforeEach
    void deployed(ItEnvironment env) {
        env.deployedStack();
        cluster = env.cluster();
        kube = cluster.client();
        ns = env.localConfig("namespace");
    }

    private Pod pod() {
        return kube.pods().inNamespace(ns).withName(POD).get();
    }

    /** The pod's Ready condition: what puts it in the Service's endpoints or takes it out. */
    private static boolean ready(Pod pod) {
        return pod != null && pod.getStatus().getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    /**
     * SIGSTOP to the postmaster on the node (the container's main process): the kernel still
     * completes the TCP handshake, but no connection is accepted and pg_isready, which both probes
     * run, reports "no response". Sessions already open keep their server processes, which are not
     * stopped. The stall lasts readiness's longest time to a verdict plus a margin, and must end a
     * margin before liveness's earliest restart: with liveness as quick as readiness the test fails
     * here, before anything is stopped, and would fail on the restart count anyway.
     */
    @Test
    @Order(1)
    void aPostgresThatStopsAnsweringLeavesTheServiceAndComesBackWithoutARestart() {
        await(POD + " is Ready").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1)).until(() -> ready(pod()));
        Pod before = pod();
        var container = before.getSpec().getContainers().get(0);
        Probe readiness = container.getReadinessProbe();
        Probe liveness = container.getLivenessProbe();
        Duration notReadyAtMost = Duration.ofSeconds((long) readiness.getPeriodSeconds() * readiness.getFailureThreshold()
                + readiness.getTimeoutSeconds());
        Duration restartAtLeast = Duration.ofSeconds((long) liveness.getPeriodSeconds() * (liveness.getFailureThreshold() - 1));
        Duration stall = notReadyAtMost.plus(MARGIN);
        assertThat(stall.plus(MARGIN))
                .as("a stall of %d s (readiness's verdict within %d s, plus %d s) must end %d s before liveness may restart"
                                + " (its %d misses %d s apart: %d s); liveness must tolerate much longer than readiness",
                        stall.toSeconds(), notReadyAtMost.toSeconds(), MARGIN.toSeconds(), MARGIN.toSeconds(),
                        liveness.getFailureThreshold(), liveness.getPeriodSeconds(), restartAtLeast.toSeconds())
                .isLessThanOrEqualTo(restartAtLeast);

        var status = Pods.firstContainer(before);
        String containerId = status.getContainerID();
        int restarts = status.getRestartCount();
        long postmaster = cluster.hostPid(containerId);
        assertThat(program(postmaster)).as("host pid %d is the postmaster", postmaster).isEqualTo("postgres");

        Instant stopped = Instant.now();
        cluster.signal(postmaster, "STOP");
        Duration notReadyAfter;
        try {
            await(POD + " turns NotReady within " + stall.toSeconds() + " s of SIGSTOP to its postmaster (host pid "
                    + postmaster + ")").atMost(stall).pollInterval(Duration.ofMillis(500))
                    .until(() -> !ready(pod()));
            notReadyAfter = Duration.between(stopped, Instant.now());
            Duration rest = stall.minus(notReadyAfter);
            if (rest.toSeconds() > 0) {
                await(POD + " stays in its container, unrestarted, until the stall ends").during(rest)
                        .atMost(rest.plusSeconds(5)).pollInterval(Duration.ofSeconds(1))
                        .until(() -> restarts == Pods.firstContainer(pod()).getRestartCount());
            }
        } finally {
            cluster.signal(postmaster, "CONT");
        }
        Instant resumed = Instant.now();

        // The first readiness probe after SIGCONT passes (successThreshold 1); twice the margin for a busy node.
        Duration readyAtMost = Duration.ofSeconds((long) readiness.getPeriodSeconds() + readiness.getTimeoutSeconds())
                .plus(MARGIN.multipliedBy(2));
        await(POD + " is Ready again within " + readyAtMost.toSeconds() + " s of SIGCONT").atMost(readyAtMost)
                .pollInterval(Duration.ofMillis(500)).until(() -> ready(pod()));
        System.out.printf("[it] %s NotReady %d s after SIGSTOP, stopped %d s, Ready %d s after SIGCONT%n", POD,
                notReadyAfter.toSeconds(), Duration.between(stopped, resumed).toSeconds(),
                Duration.between(resumed, Instant.now()).toSeconds());

        Pod after = pod();
        assertThat(after.getMetadata().getUid()).as("the same pod").isEqualTo(before.getMetadata().getUid());
        assertThat(Pods.firstContainer(after).getContainerID()).as("the same container").isEqualTo(containerId);
        assertThat(Pods.firstContainer(after).getRestartCount()).as("restarts of " + POD).isEqualTo(restarts);
        assertThat(cluster.hostPid(containerId)).as("the same postmaster, never restarted").isEqualTo(postmaster);
        await("the kubelet reported the liveness probe's misses during the stall, which it tolerated")
                .atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1))
                .until(() -> livenessFailedSince(after, stopped));
    }

    /** Every backend pod Ready again: the classes after this one find the stack as they expect it. */
    @Test
    @Order(2)
    void afterwardsTheBackendIsFullyReady() {
        await("every backend replica Ready").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1))
                .until(() -> {
                    var deployment = kube.apps().deployments().inNamespace(ns).withName(Backend.NAME).get();
                    return Objects.equals(deployment.getSpec().getReplicas(), deployment.getStatus().getReadyReplicas());
                });
    }

    /** Whether the kubelet recorded a failed liveness probe of POD (same UID) at or after SINCE. */
    private boolean livenessFailedSince(Pod pod, Instant since) {
        return kube.v1().events().inNamespace(ns).withField("involvedObject.name", POD).list().getItems().stream()
                .filter(e -> pod.getMetadata().getUid().equals(e.getInvolvedObject().getUid()))
                .filter(e -> "Unhealthy".equals(e.getReason()) && e.getMessage() != null
                        && e.getMessage().contains("Liveness probe failed"))
                .anyMatch(e -> !lastSeen(e).isBefore(since.minusSeconds(1)));
    }

    /** Kubelet events carry lastTimestamp (whole seconds); newer recorders set eventTime instead. */
    private static Instant lastSeen(Event event) {
        if (event.getLastTimestamp() != null) {
            return Instant.parse(event.getLastTimestamp());
        }
        return event.getEventTime() == null ? Instant.EPOCH : Instant.parse(event.getEventTime().getTime());
    }

    /** The program a host process runs: the file name of its argv[0], from /proc. */
    private static String program(long pid) {
        try {
            String argv0 = new String(Files.readAllBytes(Path.of("/proc", String.valueOf(pid), "cmdline")),
                    StandardCharsets.UTF_8).split("\0")[0];
            return Path.of(argv0).getFileName().toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
