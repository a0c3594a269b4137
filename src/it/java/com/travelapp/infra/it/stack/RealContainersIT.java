package com.travelapp.infra.it.stack;

import static org.assertj.core.api.Assertions.assertThat;

import com.travelapp.infra.backend.Backend;
import com.travelapp.infra.database.Database;
import com.travelapp.infra.it.support.Integration;
import com.travelapp.infra.it.support.ItEnvironment;
import com.travelapp.infra.it.support.Pods;
import com.travelapp.infra.kube.Labels;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The stack runs as real containers on the node, and each image keeps its contract inside them:
 * who it runs as, what it may write, what it carries (the checks that once grepped Dockerfiles
 * now look at the running containers).
 */
@Order(4)
@ExtendWith(Integration.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class RealContainersIT {
    private KubernetesClient kube;
    private String ns;
    private String backendPod;

    @BeforeEach
    void deployed(ItEnvironment env) {
        env.deployedStack();
        kube = env.kube();
        ns = env.localConfig("namespace");
        backendPod = Pods.running(kube, ns, Backend.NAME).get(0).getMetadata().getName();
    }

    private String inBackend(String... command) {
        return Pods.exec(kube, ns, backendPod, command).orFail();
    }

    @Test
    void theNodeRunsContainerd() {
        assertThat(kube.nodes().list().getItems()).allSatisfy(node ->
                assertThat(node.getStatus().getNodeInfo().getContainerRuntimeVersion()).startsWith("containerd://"));
    }

    @Test
    void everyContainerOfEveryPodIsARealContainerThatPassedItsProbesOrFinishedCleanly() {
        for (Pod pod : kube.pods().inNamespace(ns).list().getItems()) {
            for (ContainerStatus container : pod.getStatus().getContainerStatuses()) {
                boolean finished = container.getState().getTerminated() != null
                        && container.getState().getTerminated().getExitCode() == 0;
                assertThat(container.getContainerID()).as(pod.getMetadata().getName() + "/" + container.getName())
                        .startsWith("containerd://");
                assertThat(container.getReady() || finished).as(pod.getMetadata().getName() + " Ready or done").isTrue();
            }
        }
    }

    @Test
    void theMigrationJobRanMigrateAgainstPostgres() {
        Pod migrate = kube.pods().inNamespace(ns).withLabel(Labels.NAME, Backend.MIGRATIONS).list().getItems().get(0);
        assertThat(kube.pods().inNamespace(ns).withName(migrate.getMetadata().getName()).getLog())
                .contains("Applying trips.0001_initial... OK");
    }

    @Test
    void aBackendContainerRunsAsItsUidWithAReadOnlyRootFilesystem() {
        assertThat(inBackend("id", "-u")).isEqualTo(String.valueOf(Backend.UID));
        assertThat(inBackend("id", "-g")).isEqualTo(String.valueOf(Backend.UID));
        Pods.Exec write = Pods.exec(kube, ns, backendPod, "touch", "/probe-write");
        assertThat(write.exitCode()).isNotZero();
        assertThat(write.stderr()).contains("Read-only file system");
    }

    @Test
    void insideAPodPostgresResolvesByClusterDnsToPostgres0() {
        String postgresIp = kube.pods().inNamespace(ns).withName(Database.NAME + "-0").get().getStatus().getPodIP();
        assertThat(inBackend("python", "-c", "import socket; print(socket.gethostbyname('" + Database.NAME + "'))"))
                .isEqualTo(postgresIp);
    }

    @Test
    void theBackendImageIsPython311WithGunicornAndWritesOnlyUnderTmp() {
        assertThat(inBackend("python", "-c", "import sys; print('%d.%d' % sys.version_info[:2])")).isEqualTo("3.11");
        assertThat(inBackend("gunicorn", "--version")).startsWith("gunicorn");
        assertThat(inBackend("env")).contains("PROMETHEUS_MULTIPROC_DIR=/tmp/prometheus-multiproc",
                "GUNICORN_WORKER_TMP_DIR=/tmp", "PYTHONDONTWRITEBYTECODE=1", "GUNICORN_BIND=0.0.0.0:" + Backend.PORT);
        assertThat(inBackend("awk", "$2 == \"/\" {print $4}", "/proc/mounts")).startsWith("ro,");
        assertThat(inBackend("awk", "$2 == \"/tmp\" {print $4}", "/proc/mounts")).startsWith("rw,");
    }

    @Test
    void theBackendImageCarriesNoCompilerAndNoTests() {
        assertThat(Pods.exec(kube, ns, backendPod, "sh", "-c", "command -v gcc cc").exitCode()).isNotZero();
        assertThat(Pods.exec(kube, ns, backendPod, "test", "-e", "/app/tests").exitCode()).isNotZero();
        assertThat(Pods.exec(kube, ns, backendPod, "test", "-e", "/app/requirements-dev.txt").exitCode()).isNotZero();
    }

    @Test
    void postgresKeepsItsDataDirectoryPrivateAndRefusesAWrongPassword() {
        assertThat(Pods.exec(kube, ns, Database.NAME + "-0", "stat", "-c", "%a", Database.PGDATA).orFail()).isEqualTo("700");
        Pods.Exec login = Pods.exec(kube, ns, backendPod, "python", "-c",
                "import os, psycopg; psycopg.connect(host=os.environ['DB_HOST'], dbname=os.environ['DB_NAME'],"
                        + " user=os.environ['DB_USER'], password='wrong', connect_timeout=5)");
        assertThat(login.exitCode()).isNotZero();
        assertThat(login.stderr()).contains("password authentication failed");
    }
}
