package com.travelapp.infra.settings;

import java.util.Optional;

/**
 * The frontend tier.
 *
 * @param replicas how many pods; with autoscaling on, the fewest the autoscaler keeps
 * @param loadBalancerAvailable false on kind/minikube without a load-balancer controller, so
 *     {@code pulumi up} does not wait for an address that never comes
 * @param nodeAddress the host name or IP under which node ports are reachable, used to build its URL
 */
public record FrontendSettings(
        int replicas,
        Autoscaling autoscaling,
        String image,
        String imagePullPolicy,
        ComputeResources resources,
        ServiceType serviceType,
        Optional<Integer> nodePort,
        boolean loadBalancerAvailable,
        String nodeAddress) {

    public enum ServiceType { LoadBalancer, NodePort, ClusterIP }
}
