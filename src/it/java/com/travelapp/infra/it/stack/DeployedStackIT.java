package com.travelapp.infra.it.stack;

import static org.assertj.core.api.Assertions.assertThat;

import com.travelapp.infra.backend.Backend;
import com.travelapp.infra.backup.DatabaseBackup;
import com.travelapp.infra.configuration.AppConfig;
import com.travelapp.infra.configuration.AppSecrets;
import com.travelapp.infra.database.Database;
import com.travelapp.infra.frontend.Frontend;
import com.travelapp.infra.it.support.Integration;
import com.travelapp.infra.it.support.ItEnvironment;
import com.travelapp.infra.it.support.Replicas;
import com.travelapp.infra.it.support.TestStack;
import com.travelapp.infra.kube.Labels;
import com.travelapp.infra.monitoring.Grafana;
import com.travelapp.infra.monitoring.Prometheus;
import com.travelapp.infra.settings.Autoscaling;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** After `pulumi up`, the cluster holds the architecture's objects with its numbers, and the outputs say where. */
@Order(3)
@ExtendWith(Integration.class)
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class DeployedStackIT {
    private KubernetesClient kube;
    private String ns;
    private TestStack stack;
    private ItEnvironment env;

    @BeforeEach
    void deployed(ItEnvironment env) {
        this.env = env;
        stack = env.deployedStack();
        kube = env.kube();
        ns = env.localConfig("namespace");
    }

    @Test
    void theNamespaceEnforcesPodSecurityRestricted() {
        assertThat(kube.namespaces().withName(ns).get().getMetadata().getLabels())
                .containsEntry("pod-security.kubernetes.io/enforce", "restricted");
    }

    /**
     * The first `pulumi up` ends once one pod of an autoscaled Deployment is Ready (its spec.replicas
     * is the autoscaler's, 1 by default at creation); the autoscaler raises it to its minimum, the
     * tier's replica count, at its first sync.
     */
    private void awaitTiersAtRest() {
        Replicas.awaitAtRest(kube, ns, Frontend.NAME, Integer.parseInt(env.localConfig("frontendReplicas")), Duration.ofMinutes(2));
        Replicas.awaitAtRest(kube, ns, Backend.NAME, Integer.parseInt(env.localConfig("backendReplicas")), Duration.ofMinutes(2));
    }

    @Test
    void frontendAndBackendDeploymentsHaveTheirReplicasAvailable() {
        awaitTiersAtRest();
        assertThat(kube.apps().deployments().inNamespace(ns).withName(Frontend.NAME).get().getStatus().getAvailableReplicas())
                .isEqualTo(Integer.valueOf(env.localConfig("frontendReplicas")));
        assertThat(kube.apps().deployments().inNamespace(ns).withName(Backend.NAME).get().getStatus().getAvailableReplicas())
                .isEqualTo(Integer.valueOf(env.localConfig("backendReplicas")));
    }

    @Test
    void postgresIsAStatefulSetWhosePodPostgres0IsReadyOnABoundClaimOfTheConfiguredSize() {
        assertThat(kube.apps().statefulSets().inNamespace(ns).withName(Database.NAME).get().getStatus().getReadyReplicas())
                .isEqualTo(1);
        assertThat(kube.pods().inNamespace(ns).withName(Database.NAME + "-0").get()).isNotNull();
        var claim = kube.persistentVolumeClaims().inNamespace(ns).withName(Database.DATA_VOLUME + "-" + Database.NAME + "-0").get();
        assertThat(claim.getStatus().getPhase()).isEqualTo("Bound");
        assertThat(claim.getStatus().getCapacity().get("storage").toString()).isEqualTo(env.localConfig("databaseStorageSize"));
    }

    @Test
    void theMigrationJobSucceeded() {
        var jobs = kube.batch().v1().jobs().inNamespace(ns).withLabel(Labels.NAME, Backend.MIGRATIONS).list().getItems();
        assertThat(jobs).isNotEmpty().allSatisfy(job -> assertThat(job.getStatus().getSucceeded()).isEqualTo(1));
    }

    @Test
    void theServicesHaveTheArchitecturesTypesAndPorts() {
        Service frontend = kube.services().inNamespace(ns).withName(Frontend.NAME).get();
        assertThat(frontend.getSpec().getType()).isEqualTo(env.localConfig("frontendServiceType"));
        assertThat(frontend.getSpec().getPorts().get(0).getPort()).isEqualTo(Frontend.SERVICE_PORT);
        assertThat(frontend.getSpec().getPorts().get(0).getTargetPort().getStrVal()).isEqualTo("http");

        Service backend = kube.services().inNamespace(ns).withName(Backend.NAME).get();
        assertThat(backend.getSpec().getType()).isEqualTo("ClusterIP");
        assertThat(backend.getSpec().getPorts().get(0).getPort()).isEqualTo(Backend.PORT);

        Service postgres = kube.services().inNamespace(ns).withName(Database.NAME).get();
        assertThat(postgres.getSpec().getClusterIP()).as("headless").isEqualTo("None");
        assertThat(postgres.getSpec().getPorts().get(0).getPort()).isEqualTo(Database.PORT);

        Service prometheus = kube.services().inNamespace(ns).withName(Prometheus.NAME).get();
        assertThat(prometheus.getSpec().getType()).isEqualTo("NodePort");
        assertThat(prometheus.getSpec().getPorts().get(0).getNodePort())
                .isEqualTo(Integer.valueOf(env.localConfig("prometheusNodePort")));
    }

    @Test
    void grafanaIsNotDeployedWhenGrafanaEnabledIsFalse() {
        assertThat(env.localConfig("grafanaEnabled")).isEqualTo("false");
        assertThat(kube.apps().deployments().inNamespace(ns).withLabel(Labels.NAME, Grafana.NAME).list().getItems()).isEmpty();
        assertThat(kube.services().inNamespace(ns).withLabel(Labels.NAME, Grafana.NAME).list().getItems()).isEmpty();
    }

    @Test
    void theAppConfigMapHoldsTheDatabaseSettingsAndTheSecretHoldsGeneratedValues() {
        assertThat(kube.configMaps().inNamespace(ns).withName(AppConfig.NAME).get().getData())
                .containsOnlyKeys(AppConfig.KEYS)
                .containsEntry("DB_HOST", Database.NAME);
        var data = kube.secrets().inNamespace(ns).withName(AppSecrets.APP_SECRET).get().getData();
        assertThat(data).containsOnlyKeys(AppSecrets.DB_PASSWORD_KEY, AppSecrets.DJANGO_SECRET_KEY_KEY);
        assertThat(data.values()).allSatisfy(value -> assertThat(Base64.getDecoder().decode(value)).hasSizeGreaterThan(16));
    }

    @ParameterizedTest(name = "the {0} tier is autoscaled as Pulumi.local.yaml says, with the test stack's scale-down window")
    @ValueSource(strings = {Frontend.NAME, Backend.NAME})
    void eachAutoscaledTierHasItsHorizontalPodAutoscaler(String tier) {
        HorizontalPodAutoscaler hpa = Replicas.autoscaler(kube, ns, tier);
        if (!"true".equals(env.localConfig(tier + "Autoscaling.enabled"))) {
            assertThat(hpa).as("no autoscaler for a tier with a fixed count").isNull();
            return;
        }
        assertThat(hpa).as(tier + "'s HorizontalPodAutoscaler").isNotNull();
        assertThat(hpa.getSpec().getScaleTargetRef().getKind() + "/" + hpa.getSpec().getScaleTargetRef().getName())
                .isEqualTo("Deployment/" + tier);
        assertThat(hpa.getSpec().getMinReplicas()).isEqualTo(Integer.valueOf(env.localConfig(tier + "Replicas")));
        assertThat(hpa.getSpec().getMaxReplicas()).isEqualTo(Integer.valueOf(env.localConfig(tier + "Autoscaling.maxReplicas")));
        assertThat(hpa.getSpec().getMetrics().get(0).getResource().getTarget().getAverageUtilization())
                .isEqualTo(Optional.ofNullable(env.localConfig(tier + "Autoscaling.targetCpuUtilization")).map(Integer::valueOf)
                        .orElse(Autoscaling.DEFAULTS.targetCpuUtilization()));
        assertThat(hpa.getSpec().getBehavior().getScaleDown().getStabilizationWindowSeconds())
                .isEqualTo(ItEnvironment.SCALE_DOWN_WINDOW_SECONDS);
    }

    @Test
    void theLongRunningWorkloadsPodsWereAdmittedUnderRestricted() {
        awaitTiersAtRest();
        int expected = Integer.parseInt(env.localConfig("frontendReplicas")) + Integer.parseInt(env.localConfig("backendReplicas"))
                + 1 /* postgres-0 */ + 1 /* prometheus */;
        var pods = kube.pods().inNamespace(ns).list().getItems().stream()
                .filter(p -> !"Failed".equals(p.getStatus().getPhase()))
                .filter(p -> !Backend.MIGRATIONS.equals(p.getMetadata().getLabels().get(Labels.NAME)))
                .filter(p -> !DatabaseBackup.NAME.equals(p.getMetadata().getLabels().get(Labels.NAME)))
                .toList();
        assertThat(pods).hasSize(expected);
    }

    @Test
    void theOutputsSayWhereEachTierIs() {
        assertThat(stack.output("frontendUrl")).matches("http://[^/]+:" + Frontend.SERVICE_PORT);
        assertThat(stack.output("namespace")).isEqualTo(ns);
        assertThat(stack.output("frontendServiceType")).isEqualTo(env.localConfig("frontendServiceType"));
        assertThat(stack.output("backendHost")).startsWith(Backend.NAME + "." + ns);
        assertThat(stack.output("databaseHost")).startsWith(Database.NAME + "." + ns);
        assertThat(stack.output("prometheusUrl")).endsWith(":" + env.localConfig("prometheusNodePort"));
        for (String tier : List.of(Frontend.NAME, Backend.NAME)) {
            if ("true".equals(env.localConfig(tier + "Autoscaling.enabled"))) {
                assertThat(Double.parseDouble(stack.output(tier + "MinReplicas"))).as(tier + "MinReplicas")
                        .isEqualTo(Double.parseDouble(env.localConfig(tier + "Replicas")));
                assertThat(Double.parseDouble(stack.output(tier + "MaxReplicas"))).as(tier + "MaxReplicas")
                        .isEqualTo(Double.parseDouble(env.localConfig(tier + "Autoscaling.maxReplicas")));
                assertThat(stack.outputs()).as("an autoscaled tier's count is the autoscaler's").doesNotContainKey(tier + "Replicas");
            } else {
                assertThat(Double.parseDouble(stack.output(tier + "Replicas"))).as(tier + "Replicas")
                        .isEqualTo(Double.parseDouble(env.localConfig(tier + "Replicas")));
            }
        }
    }
}
