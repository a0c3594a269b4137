package com.travelapp.infra.monitoring;

import com.pulumi.core.Output;
import com.pulumi.kubernetes.apps.v1.Deployment;
import com.pulumi.kubernetes.apps.v1.DeploymentArgs;
import com.pulumi.kubernetes.apps.v1.inputs.DeploymentSpecArgs;
import com.pulumi.kubernetes.core.v1.ConfigMap;
import com.pulumi.kubernetes.core.v1.ConfigMapArgs;
import com.pulumi.kubernetes.core.v1.Service;
import com.pulumi.kubernetes.core.v1.ServiceArgs;
import com.pulumi.kubernetes.core.v1.inputs.ConfigMapVolumeSourceArgs;
import com.pulumi.kubernetes.core.v1.inputs.ContainerArgs;
import com.pulumi.kubernetes.core.v1.inputs.ContainerPortArgs;
import com.pulumi.kubernetes.core.v1.inputs.EnvVarArgs;
import com.pulumi.kubernetes.core.v1.inputs.HTTPGetActionArgs;
import com.pulumi.kubernetes.core.v1.inputs.PodSpecArgs;
import com.pulumi.kubernetes.core.v1.inputs.PodTemplateSpecArgs;
import com.pulumi.kubernetes.core.v1.inputs.ProbeArgs;
import com.pulumi.kubernetes.core.v1.inputs.ServicePortArgs;
import com.pulumi.kubernetes.core.v1.inputs.ServiceSpecArgs;
import com.pulumi.kubernetes.core.v1.inputs.VolumeArgs;
import com.pulumi.kubernetes.meta.v1.inputs.ObjectMetaArgs;
import com.pulumi.kubernetes.networking.v1.inputs.NetworkPolicyPeerArgs;
import com.pulumi.resources.ComponentResource;
import com.pulumi.resources.ComponentResourceOptions;
import com.pulumi.resources.CustomResourceOptions;
import com.travelapp.infra.configuration.AppConfig;
import com.travelapp.infra.configuration.AppSecrets;
import com.travelapp.infra.kube.Kube;
import com.travelapp.infra.kube.Labels;
import com.travelapp.infra.kube.NetworkPolicies;
import com.travelapp.infra.settings.NetworkSettings.Port;
import com.travelapp.infra.kube.PodSecurity;
import com.travelapp.infra.settings.GrafanaSettings;
import java.util.List;
import java.util.Map;

/**
 * Grafana with everything provisioned from files: the Prometheus datasource (fixed uid) and the
 * three dashboards (CPU/RAM, network, requests). The admin user and password are files of a generated Secret.
 */
public final class Grafana extends ComponentResource {
    public static final String NAME = "grafana";
    public static final int PORT = 3000;
    /**
     * Not the image's grafana user (472): a UID of 10000 or more belongs to no account on the node
     * (checkov CKV_K8S_40). The official image supports any UID (its writable paths are mode 777;
     * Grafana's docs run it with {@code --user}), and here it writes only to emptyDirs owned by GID.
     */
    public static final int UID = 10472;
    /** The image's group for its files; the pod's fsGroup. */
    public static final int GID = 472;

    /** What Grafana needs from the tiers declared before it: its datasource and its admin Secret. */
    public record Inputs(Output<String> namespace, Output<String> prometheusUrl, Output<String> adminSecretName) {}

    public Grafana(String name, GrafanaSettings settings, Inputs in, ComponentResourceOptions options) {
        super("travel:app:Grafana", name, options);
        var namespace = in.namespace();
        var labels = Labels.of(NAME, "monitoring");
        var replaceInPlace = CustomResourceOptions.builder().parent(this).deleteBeforeReplace(true).build();
        var child = CustomResourceOptions.builder().parent(this).build();

        var datasourcesText = in.prometheusUrl().applyValue(url -> MonitoringFiles.grafanaDatasources(url, settings.scrapeInterval()));
        var datasources = new ConfigMap("grafana-datasources", ConfigMapArgs.builder()
                .metadata(Kube.metadata("grafana-datasources", namespace, labels))
                .data(datasourcesText.applyValue(text -> Map.of("datasources.yaml", text)))
                .build(), replaceInPlace);
        var providers = new ConfigMap("grafana-dashboard-providers", ConfigMapArgs.builder()
                .metadata(Kube.metadata("grafana-dashboard-providers", namespace, labels))
                .data(Map.of("dashboards.yaml", MonitoringFiles.grafanaDashboardProviders()))
                .build(), replaceInPlace);
        var dashboards = new ConfigMap("grafana-dashboards", ConfigMapArgs.builder()
                .metadata(Kube.metadata("grafana-dashboards", namespace, labels))
                .data(MonitoringFiles.dashboards())
                .build(), replaceInPlace);

        var checksum = datasourcesText.applyValue(text -> {
            var files = new java.util.TreeMap<>(MonitoringFiles.dashboards());
            files.put("datasources.yaml", text);
            files.put("dashboards.yaml", MonitoringFiles.grafanaDashboardProviders());
            return AppConfig.sha256(files);
        });
        new Deployment(NAME, DeploymentArgs.builder()
                .metadata(Kube.metadata(NAME, namespace, labels))
                .spec(DeploymentSpecArgs.builder()
                        .replicas(1)
                        .selector(Kube.selector(NAME))
                        // Its database is a per-pod emptyDir: everything it shows is provisioned.
                        .strategy(Kube.recreate())
                        .template(PodTemplateSpecArgs.builder()
                                .metadata(ObjectMetaArgs.builder().labels(labels)
                                        .annotations(checksum.applyValue(c -> Map.of("travel-app/config-checksum", c)))
                                        .build())
                                .spec(PodSpecArgs.builder()
                                        .automountServiceAccountToken(false)
                                        .enableServiceLinks(false)
                                        .securityContext(PodSecurity.pod(UID, GID))
                                        .containers(container(settings))
                                        .volumes(
                                                configMapVolume("datasources", datasources),
                                                configMapVolume("dashboard-providers", providers),
                                                configMapVolume("dashboards", dashboards),
                                                Kube.emptyDir("data", "512Mi"),
                                                Kube.emptyDir("tmp", "64Mi"),
                                                Kube.secretFiles("admin", in.adminSecretName(),
                                                        AppSecrets.GRAFANA_USER_KEY, AppSecrets.GRAFANA_PASSWORD_KEY))
                                        .build())
                                .build())
                        .build())
                .build(), child);

        new Service(NAME, ServiceArgs.builder()
                .metadata(Kube.metadata(NAME, namespace, labels))
                .spec(ServiceSpecArgs.builder()
                        .type("NodePort")
                        .selector(Labels.selector(NAME))
                        .ports(ServicePortArgs.builder().name("http").port(PORT).targetPort("http")
                                .nodePort(settings.nodePort()).protocol("TCP").build())
                        .build())
                .build(), child);

        NetworkPolicies.allowFromAnywhere(NAME, PORT, namespace, child);
        // Its one data source; Prometheus admits anyone on its port (a NodePort), so only this end is needed.
        NetworkPolicies.allowEgressToPods("allow-grafana-egress-to-prometheus", NetworkPolicies.podsNamed(List.of(NAME)),
                NetworkPolicyPeerArgs.builder().podSelector(NetworkPolicies.podsNamed(List.of(Prometheus.NAME))).build(),
                List.of(Port.tcp(Prometheus.PORT)), namespace, child);
        registerOutputs(Map.of());
    }

    private static ContainerArgs container(GrafanaSettings settings) {
        // Grafana's own two: /healthz answers while the web server runs, /api/health also queries its database.
        var alive = HTTPGetActionArgs.builder().path("/healthz").port("http").build();
        var health = HTTPGetActionArgs.builder().path("/api/health").port("http").build();
        return ContainerArgs.builder()
                .name(NAME)
                .image(settings.image())
                .imagePullPolicy(settings.imagePullPolicy())
                .ports(ContainerPortArgs.builder().name("http").containerPort(PORT).protocol("TCP").build())
                .env(
                        // Grafana reads any setting GF_<SECTION>_<KEY> from the file named by GF_<SECTION>_<KEY>__FILE.
                        fromFile("GF_SECURITY_ADMIN_USER", AppSecrets.GRAFANA_USER_KEY),
                        fromFile("GF_SECURITY_ADMIN_PASSWORD", AppSecrets.GRAFANA_PASSWORD_KEY),
                        EnvVarArgs.builder().name("GF_PATHS_DATA").value("/var/lib/grafana").build(),
                        EnvVarArgs.builder().name("GF_USERS_ALLOW_SIGN_UP").value("false").build(),
                        EnvVarArgs.builder().name("GF_ANALYTICS_REPORTING_ENABLED").value("false").build(),
                        EnvVarArgs.builder().name("GF_ANALYTICS_CHECK_FOR_UPDATES").value("false").build(),
                        EnvVarArgs.builder().name("GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH")
                                .value("/var/lib/grafana/dashboards/requests.json").build())
                // Start-up: every start migrates a new database (its emptyDir) before the web server
                // listens, which takes minutes on a throttled CPU; 3 minutes before liveness judges.
                .startupProbe(ProbeArgs.builder().httpGet(alive).periodSeconds(5).timeoutSeconds(3).failureThreshold(36).build())
                // Readiness, "can it show dashboards?": its database answers; out of the Service after 30 s.
                .readinessProbe(ProbeArgs.builder().httpGet(health).periodSeconds(10).timeoutSeconds(3).failureThreshold(3).build())
                // Liveness, "is the process wedged?": the web server answers; a minute of silence.
                .livenessProbe(ProbeArgs.builder().httpGet(alive).periodSeconds(20).timeoutSeconds(3).failureThreshold(3).build())
                .resources(Kube.resources(settings.resources()))
                .securityContext(PodSecurity.container())
                .volumeMounts(
                        Kube.readOnlyMount("datasources", "/etc/grafana/provisioning/datasources"),
                        Kube.readOnlyMount("dashboard-providers", "/etc/grafana/provisioning/dashboards"),
                        Kube.mount("data", "/var/lib/grafana"),
                        Kube.readOnlyMount("dashboards", "/var/lib/grafana/dashboards"),
                        Kube.mount("tmp", "/tmp"),
                        Kube.readOnlyMount("admin", AppSecrets.GRAFANA_SECRET_DIR))
                .build();
    }

    private static EnvVarArgs fromFile(String setting, String key) {
        return EnvVarArgs.builder().name(setting + "__FILE").value(AppSecrets.GRAFANA_SECRET_DIR + "/" + key).build();
    }

    private static VolumeArgs configMapVolume(String name, ConfigMap configMap) {
        return VolumeArgs.builder().name(name).configMap(ConfigMapVolumeSourceArgs.builder()
                .name(configMap.metadata().applyValue(m -> m.name().orElseThrow())).build()).build();
    }
}
