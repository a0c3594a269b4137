package com.travelapp.infra.monitoring;

import com.pulumi.core.Output;
import com.pulumi.kubernetes.apps.v1.Deployment;
import com.pulumi.kubernetes.apps.v1.DeploymentArgs;
import com.pulumi.kubernetes.apps.v1.inputs.DeploymentSpecArgs;
import com.pulumi.kubernetes.core.v1.ConfigMap;
import com.pulumi.kubernetes.core.v1.ConfigMapArgs;
import com.pulumi.kubernetes.core.v1.Service;
import com.pulumi.kubernetes.core.v1.ServiceAccount;
import com.pulumi.kubernetes.core.v1.ServiceAccountArgs;
import com.pulumi.kubernetes.core.v1.ServiceArgs;
import com.pulumi.kubernetes.core.v1.inputs.ConfigMapVolumeSourceArgs;
import com.pulumi.kubernetes.core.v1.inputs.ContainerArgs;
import com.pulumi.kubernetes.core.v1.inputs.ContainerPortArgs;
import com.pulumi.kubernetes.core.v1.inputs.HTTPGetActionArgs;
import com.pulumi.kubernetes.core.v1.inputs.PodSpecArgs;
import com.pulumi.kubernetes.core.v1.inputs.PodTemplateSpecArgs;
import com.pulumi.kubernetes.core.v1.inputs.ProbeArgs;
import com.pulumi.kubernetes.core.v1.inputs.ServicePortArgs;
import com.pulumi.kubernetes.core.v1.inputs.ServiceSpecArgs;
import com.pulumi.kubernetes.core.v1.inputs.VolumeArgs;
import com.pulumi.kubernetes.discovery.v1.EndpointSlice;
import com.pulumi.kubernetes.discovery.v1.outputs.Endpoint;
import com.pulumi.kubernetes.discovery.v1.outputs.EndpointPort;
import com.pulumi.kubernetes.meta.v1.inputs.ObjectMetaArgs;
import com.pulumi.kubernetes.rbac.v1.ClusterRole;
import com.pulumi.kubernetes.rbac.v1.ClusterRoleArgs;
import com.pulumi.kubernetes.rbac.v1.ClusterRoleBinding;
import com.pulumi.kubernetes.rbac.v1.ClusterRoleBindingArgs;
import com.pulumi.kubernetes.rbac.v1.inputs.PolicyRuleArgs;
import com.pulumi.kubernetes.rbac.v1.inputs.RoleRefArgs;
import com.pulumi.kubernetes.rbac.v1.inputs.SubjectArgs;
import com.pulumi.resources.ComponentResource;
import com.pulumi.resources.ComponentResourceOptions;
import com.pulumi.resources.CustomResourceOptions;
import com.travelapp.infra.configuration.AppConfig;
import com.travelapp.infra.kube.Kube;
import com.travelapp.infra.kube.Labels;
import com.travelapp.infra.kube.NetworkPolicies;
import com.travelapp.infra.kube.PodSecurity;
import com.travelapp.infra.settings.NetworkSettings.Port;
import com.travelapp.infra.settings.PrometheusSettings;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Prometheus: scrapes annotated pods and services, nodes and cAdvisor every scrape interval and
 * evaluates the alert rules of {@code alerts.yml}; reachable on a NodePort. The only workload that
 * gets a service-account token: it reads the Kubernetes API for service discovery, through a
 * read-only ClusterRole.
 */
public final class Prometheus extends ComponentResource {
    public static final String NAME = "prometheus";
    public static final int PORT = 9090;
    /** The image's nobody user. */
    public static final int UID = 65534;
    /** The API server's own EndpointSlice, which it keeps up to date: namespace/name. */
    public static final String API_SERVER_ENDPOINTS = "default/kubernetes";

    private final Output<String> serviceName;

    public Prometheus(String name, PrometheusSettings settings, Output<String> namespace, ComponentResourceOptions options) {
        super("travel:app:Prometheus", name, options);
        var child = CustomResourceOptions.builder().parent(this).build();
        var labels = Labels.of(NAME, "monitoring");

        var account = new ServiceAccount(NAME, ServiceAccountArgs.builder()
                .metadata(Kube.metadata(NAME, namespace, labels))
                .build(), child);
        // Cluster-scoped names are shared by every stack on the cluster: qualify with the namespace.
        var clusterName = "travel-app-prometheus-" + settings.namespace();
        var role = new ClusterRole(clusterName, ClusterRoleArgs.builder()
                .metadata(ObjectMetaArgs.builder().name(clusterName).labels(labels).build())
                .rules(
                        PolicyRuleArgs.builder().apiGroups("").resources("nodes", "nodes/proxy", "nodes/metrics",
                                "services", "endpoints", "pods").verbs("get", "list", "watch").build(),
                        PolicyRuleArgs.builder().apiGroups("discovery.k8s.io").resources("endpointslices")
                                .verbs("get", "list", "watch").build(),
                        PolicyRuleArgs.builder().nonResourceURLs("/metrics").verbs("get").build())
                .build(), child);
        new ClusterRoleBinding(clusterName, ClusterRoleBindingArgs.builder()
                .metadata(ObjectMetaArgs.builder().name(clusterName).labels(labels).build())
                .roleRef(RoleRefArgs.builder().apiGroup("rbac.authorization.k8s.io").kind("ClusterRole")
                        .name(role.metadata().applyValue(m -> m.name().orElseThrow())).build())
                .subjects(SubjectArgs.builder().kind("ServiceAccount")
                        .name(account.metadata().applyValue(m -> m.name().orElseThrow()))
                        .namespace(namespace).build())
                .build(), child);

        // prometheus.yml and the alert rules it loads (rule_files: alerts.yml, beside it).
        var files = MonitoringFiles.prometheusFiles(settings.namespace(), settings.scrapeInterval());
        var config = new ConfigMap("prometheus-config", ConfigMapArgs.builder()
                .metadata(Kube.metadata("prometheus-config", namespace, labels))
                .data(files)
                .build(), CustomResourceOptions.builder().parent(this).deleteBeforeReplace(true).build());

        new Deployment(NAME, DeploymentArgs.builder()
                .metadata(Kube.metadata(NAME, namespace, labels))
                .spec(DeploymentSpecArgs.builder()
                        .replicas(1)
                        .selector(Kube.selector(NAME))
                        // Its TSDB is a per-pod emptyDir; two overlapping instances would just scrape twice.
                        .strategy(Kube.recreate())
                        .template(PodTemplateSpecArgs.builder()
                                .metadata(ObjectMetaArgs.builder().labels(labels)
                                        .annotations(Map.of("travel-app/config-checksum",
                                                AppConfig.sha256(files)))
                                        .build())
                                .spec(PodSpecArgs.builder()
                                        .serviceAccountName(account.metadata().applyValue(m -> m.name().orElseThrow()))
                                        // Service discovery and the API server proxy need the token.
                                        .automountServiceAccountToken(true)
                                        .enableServiceLinks(false)
                                        .securityContext(PodSecurity.pod(UID, UID))
                                        .containers(container(settings))
                                        .volumes(
                                                VolumeArgs.builder().name("config").configMap(ConfigMapVolumeSourceArgs.builder()
                                                        .name(config.metadata().applyValue(m -> m.name().orElseThrow())).build()).build(),
                                                Kube.emptyDir("data", "2Gi"))
                                        .build())
                                .build())
                        .build())
                .build(), child);

        var service = new Service(NAME, ServiceArgs.builder()
                .metadata(Kube.metadata(NAME, namespace, labels))
                .spec(ServiceSpecArgs.builder()
                        .type("NodePort")
                        .selector(Labels.selector(NAME))
                        .ports(ServicePortArgs.builder().name("http").port(PORT).targetPort("http")
                                .nodePort(settings.nodePort()).protocol("TCP").build())
                        .build())
                .build(), child);
        this.serviceName = service.metadata().applyValue(m -> m.name().orElseThrow());

        NetworkPolicies.allowFromAnywhere(NAME, PORT, namespace, child);
        allowApiServer(settings, namespace, child);
        registerOutputs(Map.of("serviceName", serviceName));
    }

    /**
     * Service discovery and the node and cAdvisor scrapes go to the API server, which is no pod a
     * selector could name: egress to its addresses and ports. Unless stack config names them
     * ({@code apiServerEndpoints}), they are those of the {@code kubernetes} Service's endpoints,
     * read from the cluster at every preview and update (a control plane that moves is followed by
     * the next {@code pulumi up}). Policies apply after Service translation, so these, not the
     * ClusterIP, are what a CNI matches.
     */
    private static void allowApiServer(PrometheusSettings settings, Output<String> namespace, CustomResourceOptions options) {
        Output<List<String>> cidrs;
        Output<List<Port>> ports;
        if (!settings.apiServerEndpoints().isEmpty()) {
            cidrs = Output.of(settings.apiServerEndpoints().stream().map(e -> hostCidr(e.address())).distinct().sorted().toList());
            ports = Output.of(settings.apiServerEndpoints().stream().map(e -> Port.tcp(e.port())).distinct().toList());
        } else {
            var apiServer = EndpointSlice.get("kubernetes-api-server", Output.of(API_SERVER_ENDPOINTS), options);
            cidrs = apiServer.endpoints().applyValue(endpoints -> Objects.requireNonNullElse(endpoints, List.<Endpoint>of()).stream()
                    .flatMap(endpoint -> endpoint.addresses().stream())
                    .map(Prometheus::hostCidr)
                    .distinct().sorted().toList());
            ports = apiServer.ports().applyValue(list -> Objects.requireNonNullElse(list, List.<EndpointPort>of()).stream()
                    .filter(port -> port.port().isPresent())
                    .map(port -> new Port(port.port().get(), port.protocol().orElse("TCP")))
                    .distinct().toList());
        }
        NetworkPolicies.allowEgressToAddresses("allow-prometheus-egress-to-api-server",
                NetworkPolicies.podsNamed(List.of(NAME)), cidrs, ports, namespace, options);
    }

    private static String hostCidr(String address) {
        return address + (address.contains(":") ? "/128" : "/32");
    }

    private static ContainerArgs container(PrometheusSettings settings) {
        return ContainerArgs.builder()
                .name(NAME)
                .image(settings.image())
                .imagePullPolicy(settings.imagePullPolicy())
                .args(List.of(
                        "--config.file=/etc/prometheus/prometheus.yml",
                        "--storage.tsdb.path=/prometheus",
                        "--storage.tsdb.retention.time=7d",
                        "--web.enable-lifecycle"))
                .ports(ContainerPortArgs.builder().name("http").containerPort(PORT).protocol("TCP").build())
                // No startup probe: /-/healthy answers as soon as the web server listens, which is
                // before the WAL replay, however long that takes.
                // Readiness, "can it answer queries?": /-/ready turns 200 once the TSDB is open and the
                // config loaded; out of the Service (Grafana's datasource) after 30 s.
                .readinessProbe(ProbeArgs.builder().httpGet(HTTPGetActionArgs.builder().path("/-/ready").port("http").build())
                        .periodSeconds(10).timeoutSeconds(3).failureThreshold(3).build())
                // Liveness, "is the process wedged?": its web server answers; a minute of silence.
                .livenessProbe(ProbeArgs.builder().httpGet(HTTPGetActionArgs.builder().path("/-/healthy").port("http").build())
                        .periodSeconds(20).timeoutSeconds(3).failureThreshold(3).build())
                .resources(Kube.resources(settings.resources()))
                .securityContext(PodSecurity.container())
                .volumeMounts(Kube.readOnlyMount("config", "/etc/prometheus"), Kube.mount("data", "/prometheus"))
                .build();
    }

    public Output<String> serviceName() {
        return serviceName;
    }
}
