package com.travelapp.infra.it.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.travelapp.infra.backend.Backend;
import com.travelapp.infra.it.support.Command;
import com.travelapp.infra.it.support.HttpLoad;
import com.travelapp.infra.it.support.Integration;
import com.travelapp.infra.it.support.ItEnvironment;
import com.travelapp.infra.it.support.TestStack;
import com.travelapp.infra.kube.Labels;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A new backend image rolls out under steady traffic through frontendUrl with no failed request,
 * and the new release runs its own migration Job first. The image is a second build of app/backend
 * (offline/images.sh release), imported into the node.
 */
@Order(11)
@ExtendWith(Integration.class)
@Timeout(value = 12, unit = TimeUnit.MINUTES)
class RollingUpdateIT {
    /** The release tag this test builds; BadConfigIT and DestroyIT run on it afterwards. */
    static final String RELEASE = "0.1.1-it";

    @Test
    void aNewBackendImageRollsOutUnderLoadWithZeroFailedRequests(ItEnvironment env) {
        TestStack stack = env.deployedStack();
        KubernetesClient kube = env.kube();
        String ns = env.localConfig("namespace");
        String image = env.localConfig("backendImage");
        String newImage = image.substring(0, image.lastIndexOf(':') + 1) + RELEASE;

        Command.Result release = Command.run(env.projectDir(), env.cluster().env(), Duration.ofMinutes(6), List.of(
                "bash", "offline/images.sh", "release", "backend", RELEASE, env.cluster().containerdSocket().toString()));
        System.out.println(Command.tail(release.orFail(), 3).indent(4));
        assertThat(env.cluster().ctr("images", "ls", "-q", "name==" + newImage).orFail()).contains(newImage);

        Set<String> oldReplicaSets = owners(kube, ns);
        Set<String> firstJobs = jobs(kube, ns);
        HttpLoad.Report report;
        try (HttpLoad load = new HttpLoad(stack.output("frontendUrl") + "/api/trips/", 4, Duration.ofMinutes(6))) {
            sleepUnderLoad();
            stack.set("backendImage", newImage);
            stack.up();
            await("every backend pod owned by a new ReplicaSet, the old pods gone").atMost(Duration.ofSeconds(180))
                    .pollInterval(Duration.ofSeconds(1))
                    .until(() -> {
                        Set<String> now = owners(kube, ns);
                        return now.size() == 1 && !now.equals(oldReplicaSets);
                    });
            sleepUnderLoad();
            report = load.stop();
        }
        System.out.println("[it] load during the rollout: " + report);
        assertThat(report.requests()).isGreaterThan(100);
        assertThat(report.failures()).as("failed requests during the rollout").isEmpty();
        assertThat(jobs(kube, ns)).as("succeeded migration Jobs, before: " + firstJobs).isNotEmpty()
                .anySatisfy(job -> assertThat(firstJobs).doesNotContain(job));
    }

    /** A few seconds of traffic before and after the change, so the rollout's edges are covered. */
    private static void sleepUnderLoad() {
        await().pollDelay(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(4)).until(() -> true);
    }

    private static Set<String> owners(KubernetesClient kube, String ns) {
        return kube.pods().inNamespace(ns).withLabel(Labels.NAME, Backend.NAME).list().getItems().stream()
                .map(Pod::getMetadata).map(m -> m.getOwnerReferences().get(0).getName()).collect(Collectors.toSet());
    }

    private static Set<String> jobs(KubernetesClient kube, String ns) {
        return kube.batch().v1().jobs().inNamespace(ns).withLabel(Labels.NAME, Backend.MIGRATIONS).list().getItems().stream()
                .filter(j -> Integer.valueOf(1).equals(j.getStatus().getSucceeded()))
                .map(Job::getMetadata).map(m -> m.getName()).collect(Collectors.toSet());
    }
}
