package com.travelapp.infra.kube;

import com.pulumi.core.Output;
import com.pulumi.kubernetes.meta.v1.inputs.LabelSelectorArgs;
import com.pulumi.kubernetes.meta.v1.inputs.LabelSelectorRequirementArgs;
import com.pulumi.kubernetes.networking.v1.NetworkPolicy;
import com.pulumi.kubernetes.networking.v1.NetworkPolicyArgs;
import com.pulumi.kubernetes.networking.v1.inputs.IPBlockArgs;
import com.pulumi.kubernetes.networking.v1.inputs.NetworkPolicyEgressRuleArgs;
import com.pulumi.kubernetes.networking.v1.inputs.NetworkPolicyIngressRuleArgs;
import com.pulumi.kubernetes.networking.v1.inputs.NetworkPolicyPeerArgs;
import com.pulumi.kubernetes.networking.v1.inputs.NetworkPolicyPortArgs;
import com.pulumi.kubernetes.networking.v1.inputs.NetworkPolicySpecArgs;
import com.pulumi.resources.CustomResourceOptions;
import com.travelapp.infra.settings.NetworkSettings.Port;
import java.util.List;
import java.util.Map;

/**
 * Rules on top of the namespace's default deny, in both directions. A flow between two of our
 * pods is declared once, by the tier it reaches, and opens both ends: ingress on the target and
 * egress on its clients. Flows that leave the namespace (DNS, the API server, what a user adds
 * with {@code extraEgress}) are egress rules to addresses or other namespaces' pods.
 */
public final class NetworkPolicies {
    private NetworkPolicies() {}

    /**
     * Lets only the pods named in {@code fromNames} reach {@code port} of the pods named
     * {@code target}: an ingress policy on the target (named as before egress existed, so that
     * existing stacks keep it) and an egress policy on the clients.
     */
    public static void allowFrom(String target, int port, List<String> fromNames, Output<String> namespace,
                                 CustomResourceOptions options) {
        var peers = fromNames.stream()
                .map(name -> NetworkPolicyPeerArgs.builder().podSelector(podsNamed(List.of(name))).build())
                .toList();
        var flow = String.join("-", fromNames) + "-to-" + target;
        ingress(target, "allow-" + flow,
                NetworkPolicyIngressRuleArgs.builder().from(peers).ports(ports(List.of(Port.tcp(port)))).build(),
                namespace, options);
        egress("allow-" + flow + "-egress", podsNamed(fromNames), Labels.of(target, "network-policy"),
                Output.of(List.of(NetworkPolicyEgressRuleArgs.builder()
                        .to(NetworkPolicyPeerArgs.builder().podSelector(podsNamed(List.of(target))).build())
                        .ports(ports(List.of(Port.tcp(port))))
                        .build())),
                namespace, options);
    }

    /** For the tiers users reach from outside the cluster (load balancer, node ports). */
    public static void allowFromAnywhere(String target, int port, Output<String> namespace,
                                         CustomResourceOptions options) {
        ingress(target, "allow-any-to-" + target,
                NetworkPolicyIngressRuleArgs.builder().ports(ports(List.of(Port.tcp(port)))).build(), namespace, options);
    }

    /** Lets the pods {@code from} selects open {@code ports} of the addresses in {@code cidrs}, nothing else. */
    public static NetworkPolicy allowEgressToAddresses(String name, LabelSelectorArgs from, List<String> cidrs,
                                                       List<Port> ports, Output<String> namespace,
                                                       CustomResourceOptions options) {
        return allowEgressToAddresses(name, from, Output.of(cidrs), Output.of(ports), namespace, options);
    }

    /** The same, with addresses and ports known only once read from the cluster. */
    public static NetworkPolicy allowEgressToAddresses(String name, LabelSelectorArgs from, Output<List<String>> cidrs,
                                                       Output<List<Port>> ports, Output<String> namespace,
                                                       CustomResourceOptions options) {
        var rule = Output.tuple(cidrs, ports).applyValue(t -> {
            // An egress rule with no peer or no port allows every destination or port: never declare one by accident.
            if (t.t1.isEmpty() || t.t2.isEmpty()) {
                throw new IllegalStateException("NetworkPolicy " + name + ": no address or port to allow ("
                        + t.t1 + ", " + t.t2 + "); an egress rule without them would allow every destination."
                        + " For the API server, set apiServerEndpoints when the cluster's EndpointSlice default/kubernetes"
                        + " cannot be read (e.g. a render without a cluster)");
            }
            return List.of(NetworkPolicyEgressRuleArgs.builder()
                    .to(t.t1.stream()
                            .map(cidr -> NetworkPolicyPeerArgs.builder().ipBlock(IPBlockArgs.builder().cidr(cidr).build()).build())
                            .toList())
                    .ports(ports(t.t2))
                    .build());
        });
        return egress(name, from, Labels.of(Labels.APP, "network-policy"), rule, namespace, options);
    }

    /** Lets the pods {@code from} selects open {@code ports} of the pods {@code to} selects. */
    public static NetworkPolicy allowEgressToPods(String name, LabelSelectorArgs from, NetworkPolicyPeerArgs to,
                                                  List<Port> ports, Output<String> namespace,
                                                  CustomResourceOptions options) {
        return egress(name, from, Labels.of(Labels.APP, "network-policy"),
                Output.of(List.of(NetworkPolicyEgressRuleArgs.builder().to(to).ports(ports(ports)).build())), namespace, options);
    }

    /** Our pods whose {@code app.kubernetes.io/name} is one of {@code names}. */
    public static LabelSelectorArgs podsNamed(List<String> names) {
        if (names.size() == 1) {
            return LabelSelectorArgs.builder().matchLabels(Labels.selector(names.get(0))).build();
        }
        return LabelSelectorArgs.builder()
                .matchLabels(Map.of(Labels.PART_OF, Labels.APP))
                .matchExpressions(LabelSelectorRequirementArgs.builder()
                        .key(Labels.NAME).operator("In").values(names).build())
                .build();
    }

    private static void ingress(String target, String name, NetworkPolicyIngressRuleArgs rule,
                                Output<String> namespace, CustomResourceOptions options) {
        new NetworkPolicy(name, NetworkPolicyArgs.builder()
                .metadata(Kube.metadata(name, namespace, Labels.of(target, "network-policy")))
                .spec(NetworkPolicySpecArgs.builder()
                        .podSelector(podsNamed(List.of(target)))
                        .policyTypes("Ingress")
                        .ingress(rule)
                        .build())
                .build(), options);
    }

    private static NetworkPolicy egress(String name, LabelSelectorArgs from, Map<String, String> labels,
                                        Output<List<NetworkPolicyEgressRuleArgs>> rules, Output<String> namespace,
                                        CustomResourceOptions options) {
        return new NetworkPolicy(name, NetworkPolicyArgs.builder()
                .metadata(Kube.metadata(name, namespace, labels))
                .spec(NetworkPolicySpecArgs.builder()
                        .podSelector(from)
                        .policyTypes("Egress")
                        .egress(rules)
                        .build())
                .build(), options);
    }

    private static List<NetworkPolicyPortArgs> ports(List<Port> ports) {
        return ports.stream()
                .map(p -> NetworkPolicyPortArgs.builder().protocol(p.protocol()).port(p.number()).build())
                .toList();
    }
}
