package com.travelapp.infra.kube;

import com.pulumi.core.Output;
import com.pulumi.kubernetes.meta.v1.inputs.LabelSelectorArgs;
import com.pulumi.kubernetes.networking.v1.NetworkPolicy;
import com.pulumi.kubernetes.networking.v1.NetworkPolicyArgs;
import com.pulumi.kubernetes.networking.v1.inputs.NetworkPolicyIngressRuleArgs;
import com.pulumi.kubernetes.networking.v1.inputs.NetworkPolicyPeerArgs;
import com.pulumi.kubernetes.networking.v1.inputs.NetworkPolicyPortArgs;
import com.pulumi.kubernetes.networking.v1.inputs.NetworkPolicySpecArgs;
import com.pulumi.resources.CustomResourceOptions;
import java.util.List;

/**
 * Ingress rules on top of the namespace's default deny: each tier declares who may reach it.
 */
public final class NetworkPolicies {
    private NetworkPolicies() {}

    /** Lets only the pods named in {@code fromNames} reach {@code port} of the pods named {@code target}. */
    public static NetworkPolicy allowFrom(String target, int port, List<String> fromNames, Output<String> namespace,
                                          CustomResourceOptions options) {
        var peers = fromNames.stream()
                .map(name -> NetworkPolicyPeerArgs.builder()
                        .podSelector(LabelSelectorArgs.builder().matchLabels(Labels.selector(name)).build())
                        .build())
                .toList();
        return policy(target, "allow-" + String.join("-", fromNames) + "-to-" + target,
                NetworkPolicyIngressRuleArgs.builder().from(peers).ports(tcp(port)).build(), namespace, options);
    }

    /** For the tiers users reach from outside the cluster (load balancer, node ports). */
    public static NetworkPolicy allowFromAnywhere(String target, int port, Output<String> namespace,
                                                  CustomResourceOptions options) {
        return policy(target, "allow-any-to-" + target,
                NetworkPolicyIngressRuleArgs.builder().ports(tcp(port)).build(), namespace, options);
    }

    private static NetworkPolicy policy(String target, String name, NetworkPolicyIngressRuleArgs rule,
                                        Output<String> namespace, CustomResourceOptions options) {
        return new NetworkPolicy(name, NetworkPolicyArgs.builder()
                .metadata(Kube.metadata(name, namespace, Labels.of(target, "network-policy")))
                .spec(NetworkPolicySpecArgs.builder()
                        .podSelector(LabelSelectorArgs.builder().matchLabels(Labels.selector(target)).build())
                        .policyTypes("Ingress")
                        .ingress(rule)
                        .build())
                .build(), options);
    }

    private static NetworkPolicyPortArgs tcp(int port) {
        return NetworkPolicyPortArgs.builder().protocol("TCP").port(port).build();
    }
}
