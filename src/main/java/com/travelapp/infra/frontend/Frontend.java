package com.travelapp.infra.frontend;

import com.pulumi.core.Output;
import com.pulumi.kubernetes.apps.v1.Deployment;
import com.pulumi.kubernetes.apps.v1.DeploymentArgs;
import com.pulumi.kubernetes.apps.v1.inputs.DeploymentSpecArgs;
import com.pulumi.kubernetes.core.v1.Service;
import com.pulumi.kubernetes.core.v1.ServiceArgs;
import com.pulumi.kubernetes.core.v1.inputs.ContainerArgs;
import com.pulumi.kubernetes.core.v1.inputs.ContainerPortArgs;
import com.pulumi.kubernetes.core.v1.inputs.EnvVarArgs;
import com.pulumi.kubernetes.core.v1.inputs.HTTPGetActionArgs;
import com.pulumi.kubernetes.core.v1.inputs.PodSpecArgs;
import com.pulumi.kubernetes.core.v1.inputs.PodTemplateSpecArgs;
import com.pulumi.kubernetes.core.v1.inputs.ProbeArgs;
import com.pulumi.kubernetes.core.v1.inputs.ServicePortArgs;
import com.pulumi.kubernetes.core.v1.inputs.ServiceSpecArgs;
import com.pulumi.kubernetes.core.v1.outputs.LoadBalancerIngress;
import com.pulumi.kubernetes.core.v1.outputs.ServiceSpec;
import com.pulumi.kubernetes.core.v1.outputs.ServiceStatus;
import com.pulumi.kubernetes.meta.v1.inputs.ObjectMetaArgs;
import com.pulumi.resources.ComponentResource;
import com.pulumi.resources.ComponentResourceOptions;
import com.pulumi.resources.CustomResourceOptions;
import com.travelapp.infra.kube.Autoscaler;
import com.travelapp.infra.kube.Kube;
import com.travelapp.infra.kube.Labels;
import com.travelapp.infra.kube.NetworkPolicies;
import com.travelapp.infra.kube.PodSecurity;
import com.travelapp.infra.settings.FrontendSettings.ServiceType;
import com.travelapp.infra.settings.FrontendSettings;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The frontend tier: the React app served by Nginx, which also proxies {@code /api} to the
 * backend Service. Reached from outside through a Service on port 3000 (LoadBalancer by default).
 */
public final class Frontend extends ComponentResource {
    public static final String NAME = "frontend";
    public static final int SERVICE_PORT = 3000;
    public static final int CONTAINER_PORT = 80;
    /**
     * Not nginx-unprivileged's nginx user (101): a UID of 10000 or more belongs to no account on the
     * node (checkov CKV_K8S_40). nginx runs as any UID; it writes only to /tmp and conf.d, emptyDirs
     * owned by GID.
     */
    public static final int UID = 10101;
    /** The image's nginx group; the pod's fsGroup. */
    public static final int GID = 101;
    /** nginx's own answer, whatever the backend does: the liveness probe. */
    public static final String LIVENESS_PATH = "/healthz";
    /** index.html served from the image's build: the readiness probe. */
    public static final String READINESS_PATH = "/readyz";

    private final Output<String> url;
    private final Output<String> serviceName;

    /** What the frontend needs from the tiers declared before it: where Nginx sends {@code /api}. */
    public record Inputs(Output<String> namespace, Output<String> backendServiceName, int backendPort) {}

    public Frontend(String name, FrontendSettings settings, Inputs in, ComponentResourceOptions options) {
        super("travel:app:Frontend", name, options);
        var namespace = in.namespace();
        var child = CustomResourceOptions.builder().parent(this).build();
        var labels = Labels.of(NAME, "web");

        var deployment = new Deployment(NAME, DeploymentArgs.builder()
                .metadata(Kube.metadata(NAME, namespace, labels, Autoscaler.DEPLOYMENT_ANNOTATIONS))
                .spec(DeploymentSpecArgs.builder()
                        .replicas(Autoscaler.replicas(settings.replicas(), settings.autoscaling()))
                        .revisionHistoryLimit(5)
                        .selector(Kube.selector(NAME))
                        .strategy(Kube.zeroDowntimeRollingUpdate())
                        .template(PodTemplateSpecArgs.builder()
                                .metadata(ObjectMetaArgs.builder().labels(labels).build())
                                .spec(podSpec(settings, in))
                                .build())
                        .build())
                .build(), child);

        var service = new Service(NAME, ServiceArgs.builder()
                .metadata(Kube.metadata(NAME, namespace, labels, serviceAnnotations(settings)))
                .spec(ServiceSpecArgs.builder()
                        .type(settings.serviceType().name())
                        .selector(Labels.selector(NAME))
                        .ports(servicePort(settings))
                        .build())
                .build(), child);
        this.serviceName = service.metadata().applyValue(m -> m.name().orElseThrow());

        Kube.keepOneAvailable(NAME, namespace, labels, child);
        if (settings.autoscaling().enabled()) {
            Autoscaler.forDeployment(NAME, namespace, labels, settings.replicas(), settings.autoscaling(),
                    CustomResourceOptions.builder().parent(this).dependsOn(deployment).build());
        }

        NetworkPolicies.allowFromAnywhere(NAME, CONTAINER_PORT, namespace, child);

        this.url = Output.tuple(service.spec(), service.status(), namespace)
                .applyValue(t -> url(settings.serviceType(), settings.nodeAddress(), t.t1, t.t2, t.t3));
        registerOutputs(Map.of("url", url, "serviceName", serviceName));
    }

    private static PodSpecArgs podSpec(FrontendSettings settings, Inputs in) {
        // Both locations are nginx's own (app/frontend/nginx/default.conf.template), never the backend's:
        // with the API down every frontend still serves the page and its "API not reachable" message,
        // where readiness through /api/ would empty the Service and the page with it.
        var healthz = HTTPGetActionArgs.builder().path(LIVENESS_PATH).port("http").build();
        var readyz = HTTPGetActionArgs.builder().path(READINESS_PATH).port("http").build();
        return PodSpecArgs.builder()
                .automountServiceAccountToken(false)
                .enableServiceLinks(false)
                .securityContext(PodSecurity.podListeningOn(UID, GID, CONTAINER_PORT))
                .containers(ContainerArgs.builder()
                        .name(NAME)
                        .image(settings.image())
                        .imagePullPolicy(settings.imagePullPolicy())
                        .ports(ContainerPortArgs.builder().name("http").containerPort(CONTAINER_PORT).protocol("TCP").build())
                        // Filled into the image's Nginx template at start: where /api goes.
                        .env(
                                EnvVarArgs.builder().name("BACKEND_HOST").value(in.backendServiceName()).build(),
                                EnvVarArgs.builder().name("BACKEND_PORT").value(String.valueOf(in.backendPort())).build(),
                                EnvVarArgs.builder().name("NGINX_PORT").value(String.valueOf(CONTAINER_PORT)).build())
                        // nginx answers within a second of starting: no startup probe.
                        // Readiness, "should it get traffic?": it serves index.html. Out of the Service
                        // after 2 misses (10 s); a pod whose image lacks the build never gets in, so a
                        // rolling update stops before it replaces a working pod.
                        .readinessProbe(ProbeArgs.builder().httpGet(readyz).periodSeconds(5).timeoutSeconds(2).failureThreshold(2).build())
                        // Liveness, "is nginx wedged?": a stub answered by nginx alone. 3 misses 20 s
                        // apart (a minute) before a restart, so that a CPU-throttled but working nginx
                        // is left to catch up.
                        .livenessProbe(ProbeArgs.builder().httpGet(healthz).periodSeconds(20).timeoutSeconds(2).failureThreshold(3).build())
                        // nginx closes its listening socket at the stop signal (SIGQUIT); a scale-in
                        // or a rollout would otherwise refuse the connections still routed to it.
                        .lifecycle(Kube.drainBeforeStop())
                        .resources(Kube.resources(settings.resources()))
                        .securityContext(PodSecurity.container())
                        // The entrypoint renders templates into conf.d; Nginx keeps temp files in /tmp.
                        .volumeMounts(Kube.mount("tmp", "/tmp"), Kube.mount("nginx-conf", "/etc/nginx/conf.d"))
                        .build())
                .volumes(Kube.emptyDir("tmp", "64Mi"), Kube.emptyDir("nginx-conf", "1Mi"))
                .build();
    }

    private static Map<String, String> serviceAnnotations(FrontendSettings settings) {
        var annotations = new HashMap<String, String>();
        if (settings.serviceType() == ServiceType.LoadBalancer && !settings.loadBalancerAvailable()) {
            // Without a load-balancer controller the address never comes; don't let `pulumi up` wait for it.
            annotations.put("pulumi.com/skipAwait", "true");
        }
        return annotations;
    }

    private static ServicePortArgs servicePort(FrontendSettings settings) {
        var port = ServicePortArgs.builder().name("http").port(SERVICE_PORT).targetPort("http").protocol("TCP");
        settings.nodePort().ifPresent(port::nodePort);
        return port.build();
    }

    /** Never throws: an address that is not there yet is reported as pending, with what to do. */
    static String url(ServiceType type, String nodeAddress, ServiceSpec spec, Optional<ServiceStatus> status, String namespace) {
        return switch (type) {
            case LoadBalancer -> status.flatMap(ServiceStatus::loadBalancer)
                    .flatMap(lb -> lb.ingress().stream().findFirst())
                    .flatMap(Frontend::address)
                    .map(address -> "http://" + address + ":" + SERVICE_PORT)
                    .orElse("pending: the LoadBalancer has no address yet; run 'pulumi refresh' once it has one"
                            + " (no load balancer in this cluster? set frontendServiceType to NodePort)");
            case NodePort -> spec.ports().stream().findFirst().flatMap(p -> p.nodePort())
                    .map(port -> "http://" + nodeAddress + ":" + port)
                    .orElse("pending: the node port is not allocated yet; run 'pulumi refresh'");
            case ClusterIP -> "not exposed outside the cluster: kubectl -n " + namespace + " port-forward service/"
                    + NAME + " " + SERVICE_PORT + ":" + SERVICE_PORT + ", then open http://localhost:" + SERVICE_PORT;
        };
    }

    private static Optional<String> address(LoadBalancerIngress ingress) {
        return ingress.hostname().or(ingress::ip).filter(a -> !a.isBlank());
    }

    public Output<String> url() {
        return url;
    }

    public Output<String> serviceName() {
        return serviceName;
    }
}
