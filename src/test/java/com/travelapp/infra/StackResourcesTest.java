package com.travelapp.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.pulumi.test.PulumiTest;
import com.travelapp.infra.backend.Backend;
import com.travelapp.infra.database.Database;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class StackResourcesTest {
    private static final String NS = "travel-app";

    @AfterEach
    void cleanup() {
        PulumiTest.cleanup();
    }

    @Test
    void theStackRunsWithoutErrorsOnDefaultSettings() {
        var run = StackRun.ofDefaults();
        assertEquals(List.of(), run.result.exceptions(), "the program threw");
        assertEquals(List.of(), run.result.errors(), "the program logged errors");
    }

    @ParameterizedTest(name = "{0} {1} is declared inside {2}")
    @CsvSource({
            "kubernetes:core/v1:Namespace, travel-app, travel:app:Namespace",
            "kubernetes:networking.k8s.io/v1:NetworkPolicy, default-deny-ingress, travel:app:Namespace",
            "kubernetes:core/v1:ServiceAccountPatch, default-service-account, travel:app:Namespace",
            "random:index/randomPassword:RandomPassword, database-password, travel:app:AppSecrets",
            "random:index/randomPassword:RandomPassword, django-secret-key, travel:app:AppSecrets",
            "random:index/randomPassword:RandomPassword, grafana-admin-password, travel:app:AppSecrets",
            "kubernetes:core/v1:Secret, app-secrets, travel:app:AppSecrets",
            "kubernetes:core/v1:Secret, grafana-admin, travel:app:AppSecrets",
            "kubernetes:core/v1:ConfigMap, app-config, travel:app:AppConfig",
            "kubernetes:apps/v1:StatefulSet, postgres, travel:app:Database",
            "kubernetes:core/v1:Service, postgres, travel:app:Database",
            "kubernetes:networking.k8s.io/v1:NetworkPolicy, allow-backend-backend-migrations-to-postgres, travel:app:Database",
            "kubernetes:batch/v1:CronJob, postgres-backup, travel:app:DatabaseBackup",
            "kubernetes:core/v1:PersistentVolumeClaim, postgres-backups, travel:app:DatabaseBackup",
            "kubernetes:core/v1:ConfigMap, postgres-backup-scripts, travel:app:DatabaseBackup",
            "kubernetes:networking.k8s.io/v1:NetworkPolicy, allow-postgres-backup-to-postgres, travel:app:Database",
            "kubernetes:apps/v1:Deployment, backend, travel:app:Backend",
            "kubernetes:core/v1:Service, backend, travel:app:Backend",
            "kubernetes:policy/v1:PodDisruptionBudget, backend, travel:app:Backend",
            "kubernetes:networking.k8s.io/v1:NetworkPolicy, allow-frontend-prometheus-to-backend, travel:app:Backend",
            "kubernetes:apps/v1:Deployment, frontend, travel:app:Frontend",
            "kubernetes:core/v1:Service, frontend, travel:app:Frontend",
            "kubernetes:policy/v1:PodDisruptionBudget, frontend, travel:app:Frontend",
            "kubernetes:networking.k8s.io/v1:NetworkPolicy, allow-any-to-frontend, travel:app:Frontend",
            "kubernetes:core/v1:ServiceAccount, prometheus, travel:app:Prometheus",
            "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole, travel-app-prometheus-travel-app, travel:app:Prometheus",
            "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding, travel-app-prometheus-travel-app, travel:app:Prometheus",
            "kubernetes:core/v1:ConfigMap, prometheus-config, travel:app:Prometheus",
            "kubernetes:apps/v1:Deployment, prometheus, travel:app:Prometheus",
            "kubernetes:core/v1:Service, prometheus, travel:app:Prometheus",
            "kubernetes:networking.k8s.io/v1:NetworkPolicy, allow-any-to-prometheus, travel:app:Prometheus",
            "kubernetes:core/v1:ConfigMap, grafana-datasources, travel:app:Grafana",
            "kubernetes:core/v1:ConfigMap, grafana-dashboard-providers, travel:app:Grafana",
            "kubernetes:core/v1:ConfigMap, grafana-dashboards, travel:app:Grafana",
            "kubernetes:apps/v1:Deployment, grafana, travel:app:Grafana",
            "kubernetes:core/v1:Service, grafana, travel:app:Grafana",
            "kubernetes:networking.k8s.io/v1:NetworkPolicy, allow-any-to-grafana, travel:app:Grafana",
    })
    void everyResourceOfTheArchitectureExistsInTheComponentOfItsTier(String type, String name, String component) {
        var resource = StackRun.ofDefaults().one(type, name);
        assertEquals(component, resource.parentType(), "parent of " + type + " " + name + " (urn " + resource.urn() + ")");
    }

    @Test
    void theMigrationJobIsDeclaredByTheBackendComponent() {
        var jobs = StackRun.ofDefaults().ofType("kubernetes:batch/v1:Job");
        assertEquals(1, jobs.size());
        assertEquals("travel:app:Backend", jobs.get(0).parentType());
        assertTrue(jobs.get(0).name().startsWith("backend-migrate-"), jobs.get(0).name());
    }

    @Test
    void theMonitoringComponentHoldsPrometheusAndGrafana() {
        var run = StackRun.ofDefaults();
        assertEquals("travel:app:Monitoring", run.one("travel:app:Prometheus", "prometheus").parentType());
        assertEquals("travel:app:Monitoring", run.one("travel:app:Grafana", "grafana").parentType());
    }

    @Test
    void withGrafanaEnabledFalseNoGrafanaResourceOrSecretIsDeclaredAndPrometheusStillIs() {
        var run = StackRun.of(StackRun.settings(Map.of("grafanaEnabled", "false")));
        assertEquals(List.of(), run.result.exceptions(), "the program threw");
        assertEquals(List.of(), run.result.errors(), "the program logged errors");
        var grafana = run.resources.stream()
                .filter(r -> (r.type() + " " + r.name() + " " + r.inputs()).toLowerCase().contains("grafana"))
                .map(r -> r.type() + " " + r.name()).toList();
        assertEquals(List.of(), grafana, "resources naming or referencing Grafana");
        assertEquals(List.of("app-secrets"), run.ofType("kubernetes:core/v1:Secret").stream().map(StackRun.Registered::name).toList());
        assertEquals(List.of("database-password", "django-secret-key"),
                run.ofType("random:index/randomPassword:RandomPassword").stream().map(StackRun.Registered::name).sorted().toList());

        assertEquals("travel:app:Monitoring", run.one("travel:app:Prometheus", "prometheus").parentType());
        for (var type : List.of("kubernetes:core/v1:ServiceAccount", "kubernetes:apps/v1:Deployment", "kubernetes:core/v1:Service")) {
            assertEquals("travel:app:Prometheus", run.one(type, "prometheus").parentType(), type);
        }
        assertEquals("travel:app:Prometheus", run.one("kubernetes:core/v1:ConfigMap", "prometheus-config").parentType());
        assertEquals("travel:app:Prometheus",
                run.one("kubernetes:networking.k8s.io/v1:NetworkPolicy", "allow-any-to-prometheus").parentType());
        assertEquals(List.of("backend", "frontend", "prometheus"),
                run.ofType("kubernetes:apps/v1:Deployment").stream().map(StackRun.Registered::name).sorted().toList());
    }

    @Test
    void withGrafanaEnabledFalseEveryOtherResourceIsExactlyAsByDefault() {
        var withoutGrafana = StackRun.of(StackRun.settings(Map.of("grafanaEnabled", "false"))).resources.stream()
                .map(r -> r.type() + " " + r.name() + " " + r.inputs()).sorted().toList();
        var defaultsWithoutGrafana = StackRun.ofDefaults().resources.stream()
                .filter(r -> !(r.type() + " " + r.name() + " " + r.inputs()).toLowerCase().contains("grafana"))
                .map(r -> r.type() + " " + r.name() + " " + r.inputs()).sorted().toList();
        assertEquals(defaultsWithoutGrafana, withoutGrafana);
    }

    @Test
    void everyNamespacedKubernetesResourceIsInTheConfiguredNamespace() {
        var run = StackRun.of(StackRun.settings(Map.of("namespace", "trips-staging")));
        var clusterScoped = List.of("kubernetes:core/v1:Namespace", "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole",
                "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding");
        var namespaced = run.resources.stream()
                .filter(r -> r.type().startsWith("kubernetes:") && !clusterScoped.contains(r.type())).toList();
        assertTrue(namespaced.size() > 25, "found only " + namespaced.size());
        for (var resource : namespaced) {
            assertEquals("trips-staging", resource.string("metadata", "namespace"), resource.type() + " " + resource.name());
        }
    }

    @Test
    void theNamespaceIsCreatedAndEnforcesPodSecurityRestricted() {
        var namespace = StackRun.ofDefaults().one("kubernetes:core/v1:Namespace", NS);
        var labels = namespace.map("metadata", "labels");
        for (var mode : List.of("enforce", "audit", "warn")) {
            assertEquals("restricted", labels.get("pod-security.kubernetes.io/" + mode), mode);
        }
        assertEquals("v1.30", labels.get("pod-security.kubernetes.io/enforce-version"));
    }

    @Test
    void theDefaultNamespaceIsUsedNotCreatedAndDenyOnlyCoversOurPods() {
        var run = StackRun.of(StackRun.settings(Map.of("namespace", "default")));
        assertEquals(List.of(), run.ofType("kubernetes:core/v1:Namespace"));
        var deny = run.one("kubernetes:networking.k8s.io/v1:NetworkPolicy", "default-deny-ingress");
        assertEquals(Map.of("app.kubernetes.io/part-of", "travel-app"), deny.map("spec", "podSelector", "matchLabels"));
        assertEquals("default", run.one("kubernetes:apps/v1:Deployment", "backend").string("metadata", "namespace"));
        assertEquals(List.of(), run.ofType("kubernetes:core/v1:ServiceAccountPatch"), "a shared namespace's account is not ours");
    }

    @Test
    void inAnOwnedNamespaceTheDefaultServiceAccountMountsNoToken() {
        var patch = StackRun.ofDefaults().one("kubernetes:core/v1:ServiceAccountPatch", "default-service-account");
        assertEquals("default", patch.string("metadata", "name"));
        assertEquals(NS, patch.string("metadata", "namespace"));
        assertEquals(false, patch.at("automountServiceAccountToken"));
    }

    @Test
    void inAnOwnedNamespaceTheDefaultDenySelectsEveryPodForIngress() {
        var deny = StackRun.ofDefaults().one("kubernetes:networking.k8s.io/v1:NetworkPolicy", "default-deny-ingress");
        assertEquals(Map.of(), deny.map("spec", "podSelector", "matchLabels"));
        assertEquals(List.of("Ingress"), deny.at("spec", "policyTypes"));
        assertEquals(null, deny.at("spec", "ingress"), "a deny policy has no ingress rule");
    }

    private static final String POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy";

    @Test
    void theDatabaseDeclaresEveryRuleThatLetsPodsReachPostgres() {
        var run = StackRun.ofDefaults();
        var toPostgres = run.ofType(POLICY).stream()
                .filter(policy -> "postgres".equals(policy.string("spec", "podSelector", "matchLabels", "app.kubernetes.io/name")))
                .toList();
        assertEquals(List.of("allow-backend-backend-migrations-to-postgres", "allow-postgres-backup-to-postgres"),
                toPostgres.stream().map(StackRun.Registered::name).sorted().toList());
        toPostgres.forEach(policy -> assertEquals("travel:app:Database", policy.parentType(), policy.name()));
        assertEquals(Backend.DATABASE_CLIENTS, Database.CLIENTS, "Database.CLIENTS names the backend's pods it admits");
    }

    @Test
    void theBackupsRuleToPostgresKeepsTheUrnItHadWhenTheBackupComponentDeclaredIt() {
        var run = StackRun.ofDefaults();
        // The provider adds aliases of its own (the policy's old API group); ours is the one naming a parent.
        assertEquals(List.of(run.one("travel:app:DatabaseBackup", "backup").urn()),
                formerParents(run, "allow-postgres-backup-to-postgres"));
        assertEquals(List.of(), formerParents(run, "allow-backend-backend-migrations-to-postgres"), "the backend's rule never moved");
    }

    private static List<String> formerParents(StackRun run, String policy) {
        return run.options(POLICY, policy).getAliases().stream().map(StackRun::value)
                .flatMap(alias -> alias.getParentUrn().stream()).map(StackRun::value).toList();
    }
}
