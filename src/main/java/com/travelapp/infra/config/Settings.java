package com.travelapp.infra.config;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything the stack needs to know, read once from stack config by {@link SettingsReader} and
 * validated before any resource is declared. Components receive the part they need and never
 * read config themselves.
 */
public record Settings(
        String namespace,
        String imagePullPolicy,
        Frontend frontend,
        Backend backend,
        Database database,
        Monitoring monitoring,
        Cluster cluster,
        Map<Workload, ComputeResources> resources,
        Backup backup) {

    /** The reference architecture runs everything in {@code default}; we only create namespaces we own. */
    public boolean ownsNamespace() {
        return !"default".equals(namespace);
    }

    public ComputeResources resourcesOf(Workload workload) {
        return resources.get(workload);
    }

    public record Frontend(int replicas, String image, ServiceType serviceType, Optional<Integer> nodePort) {}

    public record Backend(int replicas, String image, List<String> extraAllowedHosts) {}

    public record Database(String image, String name, String user, String storageSize, Optional<String> storageClass) {}

    /**
     * The scheduled {@code pg_dump} of the database to a volume of its own.
     *
     * @param enabled false declares no backup object at all; the other values are then unused
     * @param schedule a cron schedule, read in UTC
     * @param retention how many of the newest backups the volume keeps
     */
    public record Backup(boolean enabled, String schedule, int retention, String storageSize, Optional<String> storageClass) {}

    /**
     * @param grafanaEnabled false on a node that cannot run the Grafana image: no Grafana object, Secret or
     *     password is declared at all, and the other grafana* values are then unused
     */
    public record Monitoring(
            String prometheusImage,
            String grafanaImage,
            int prometheusNodePort,
            int grafanaNodePort,
            String scrapeInterval,
            boolean grafanaEnabled,
            String grafanaAdminUser) {}

    /**
     * @param loadBalancerAvailable false on kind/minikube without a load-balancer controller, so
     *     {@code pulumi up} does not wait for an address that never comes
     * @param nodeAddress the host name or IP under which node ports are reachable, used to build URLs
     */
    public record Cluster(boolean loadBalancerAvailable, String nodeAddress) {}

    public enum ServiceType { LoadBalancer, NodePort, ClusterIP }

    /** Requests and limits of one container, as Kubernetes quantities. */
    public record ComputeResources(String cpuRequest, String memoryRequest, String cpuLimit, String memoryLimit) {}
}
