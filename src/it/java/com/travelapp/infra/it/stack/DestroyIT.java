package com.travelapp.infra.it.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.travelapp.infra.backup.DatabaseBackup;
import com.travelapp.infra.database.Database;
import com.travelapp.infra.it.support.Integration;
import com.travelapp.infra.it.support.ItEnvironment;
import com.travelapp.infra.it.support.LocalCluster;
import com.travelapp.infra.it.support.TestStack;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * `pulumi destroy` removes everything but the data: the namespace and the database's and backups'
 * claims are retained (docs/operations.md), and their volumes still hold the database cluster and
 * the dumps. The test then deletes the namespace itself and checks that nothing is left.
 */
@Order(16)
@ExtendWith(Integration.class)
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class DestroyIT {
    private static final Pattern RETAINED = Pattern.compile("kubernetes:core/v1:(\\w+) ([a-z0-9-]+) deleted \\([0-9.]+s\\)\\[retain\\]");

    @Test
    void destroyDeletesEverythingButTheNamespaceAndTheDataItsVolumesHold(ItEnvironment env) throws IOException {
        TestStack stack = env.deployedStack();
        LocalCluster cluster = env.cluster();
        KubernetesClient kube = cluster.client();
        String ns = env.localConfig("namespace");
        String dataClaim = Database.DATA_VOLUME + "-" + Database.NAME + "-0";
        Path dataDir = hostPath(kube, ns, dataClaim);
        Path backupsDir = hostPath(kube, ns, DatabaseBackup.VOLUME_CLAIM);
        Set<String> dumpsBefore = dumps(backupsDir);

        TestStack.Run destroy = stack.destroy();

        Set<String> retained = new TreeSet<>();
        Matcher m = RETAINED.matcher(destroy.output());
        while (m.find()) {
            retained.add(m.group(1) + " " + m.group(2));
        }
        assertThat(retained).as("[retain] in the destroy output")
                .containsExactlyInAnyOrder("Namespace " + ns, "PersistentVolumeClaim " + DatabaseBackup.VOLUME_CLAIM);
        await("the namespace holds only the database's and the backups' claims").atMost(Duration.ofSeconds(180))
                .pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> assertThat(left(kube, ns))
                        .containsExactlyInAnyOrder("ConfigMap/kube-root-ca.crt", "PersistentVolumeClaim/" + dataClaim,
                                "PersistentVolumeClaim/" + DatabaseBackup.VOLUME_CLAIM));
        assertThat(Files.readString(dataDir.resolve("pgdata/PG_VERSION")).strip()).as("the kept database cluster").matches("\\d+");
        assertThat(dataDir.resolve("pgdata/global/pg_control")).isNotEmptyFile();
        assertThat(dumps(backupsDir)).as("the kept dumps").isEqualTo(dumpsBefore);
        assertThat(stack.resourceCount()).as("resources in the state").isZero();

        kube.namespaces().withName(ns).delete();
        await("the namespace is gone (deleted by this test)").atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofSeconds(2))
                .until(() -> kube.namespaces().withName(ns).get() == null);
        await("its volumes are gone with it").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(2))
                .until(() -> kube.persistentVolumes().list().getItems().stream()
                        .noneMatch(pv -> pv.getSpec().getClaimRef() != null && ns.equals(pv.getSpec().getClaimRef().getNamespace())));
        assertThat(kube.rbac().clusterRoles().withName("travel-app-prometheus-" + ns).get()).isNull();
        await("no container of the stack is left on the node").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(2))
                .until(() -> cluster.ctr("containers", "ls", "-q", "labels.\"io.kubernetes.pod.namespace\"==" + ns).orFail()
                        .isBlank());
        assertThat(kube.nodes().list().getItems()).allSatisfy(node -> assertThat(node.getStatus().getConditions().stream()
                .filter(c -> "Ready".equals(c.getType())).findFirst().orElseThrow().getStatus()).isEqualTo("True"));
    }

    private static Path hostPath(KubernetesClient kube, String ns, String claim) {
        String volume = kube.persistentVolumeClaims().inNamespace(ns).withName(claim).get().getSpec().getVolumeName();
        return Path.of(kube.persistentVolumes().withName(volume).get().getSpec().getHostPath().getPath());
    }

    private static Set<String> dumps(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).filter(f -> f.matches("travel-.*\\.dump"))
                    .collect(Collectors.toCollection(TreeSet::new));
        }
    }

    private static List<String> left(KubernetesClient kube, String ns) {
        return Stream.of(kube.apps().deployments().inNamespace(ns).list().getItems(),
                        kube.apps().statefulSets().inNamespace(ns).list().getItems(),
                        kube.services().inNamespace(ns).list().getItems(),
                        kube.pods().inNamespace(ns).list().getItems(),
                        kube.configMaps().inNamespace(ns).list().getItems(),
                        kube.secrets().inNamespace(ns).list().getItems(),
                        kube.persistentVolumeClaims().inNamespace(ns).list().getItems(),
                        kube.network().networkPolicies().inNamespace(ns).list().getItems(),
                        kube.batch().v1().cronjobs().inNamespace(ns).list().getItems(),
                        kube.batch().v1().jobs().inNamespace(ns).list().getItems(),
                        kube.autoscaling().v2().horizontalPodAutoscalers().inNamespace(ns).list().getItems())
                .flatMap(List::stream)
                .map(o -> ((HasMetadata) o).getKind() + "/" + ((HasMetadata) o).getMetadata().getName())
                .toList();
    }
}
