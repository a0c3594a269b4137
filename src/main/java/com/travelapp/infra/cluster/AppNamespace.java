package com.travelapp.infra.cluster;

import com.pulumi.core.Output;
import com.pulumi.kubernetes.core.v1.Namespace;
import com.pulumi.kubernetes.core.v1.NamespaceArgs;
import com.pulumi.kubernetes.core.v1.ServiceAccountPatch;
import com.pulumi.kubernetes.core.v1.ServiceAccountPatchArgs;
import com.pulumi.kubernetes.meta.v1.inputs.LabelSelectorArgs;
import com.pulumi.kubernetes.meta.v1.inputs.ObjectMetaArgs;
import com.pulumi.kubernetes.meta.v1.inputs.ObjectMetaPatchArgs;
import com.pulumi.kubernetes.networking.v1.NetworkPolicy;
import com.pulumi.kubernetes.networking.v1.NetworkPolicyArgs;
import com.pulumi.kubernetes.networking.v1.inputs.NetworkPolicyPeerArgs;
import com.pulumi.kubernetes.networking.v1.inputs.NetworkPolicySpecArgs;
import com.pulumi.resources.ComponentResource;
import com.pulumi.resources.ComponentResourceOptions;
import com.pulumi.resources.CustomResourceOptions;
import com.travelapp.infra.kube.Kube;
import com.travelapp.infra.kube.Labels;
import com.travelapp.infra.kube.NetworkPolicies;
import com.travelapp.infra.kube.PodSecurity;
import com.travelapp.infra.settings.NetworkSettings;
import com.travelapp.infra.settings.NetworkSettings.Port;
import com.travelapp.infra.settings.Workload;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The namespace every tier lives in, enforcing Pod Security "restricted", whose default
 * ServiceAccount mounts no token, and the default-deny policies, ingress and egress, that the tiers
 * open up one flow at a time. Declared here, for every pod: DNS to the cluster's DNS, and the
 * extra egress of stack config.
 */
public final class AppNamespace extends ComponentResource {
    private final Output<String> name;

    /** The cluster DNS pods by the labels every kubeadm, kind, minikube and managed cluster gives them. */
    static final Map<String, String> CLUSTER_DNS_PODS = Map.of("k8s-app", "kube-dns");
    static final String CLUSTER_DNS_NAMESPACE = "kube-system";

    /**
     * @param podNames the {@code app.kubernetes.io/name} of each workload's pods, which the
     *     {@code from} of an {@code extraEgress} entry names by workload
     */
    public AppNamespace(String name, String namespace, boolean owned, NetworkSettings network,
                        Map<Workload, String> podNames, ComponentResourceOptions options) {
        super("travel:app:Namespace", name, options);
        var child = CustomResourceOptions.builder().parent(this).build();

        if (owned) {
            // Deleting a namespace deletes every claim in it, the database's and the backups'
            // included: pulumi destroy leaves it ("[retain]"), holding only those (docs/operations.md).
            var created = new Namespace(namespace, NamespaceArgs.builder()
                    .metadata(ObjectMetaArgs.builder().name(namespace).labels(podSecurityLabels()).build())
                    .build(), CustomResourceOptions.builder().parent(this).retainOnDelete(true).build());
            this.name = created.metadata().applyValue(m -> m.name().orElseThrow());
            withoutDefaultToken(this.name, child);
        } else {
            this.name = Output.of(namespace);
        }

        // In a namespace we own, deny for every pod; in a shared one, only for ours.
        var ourPods = owned
                ? LabelSelectorArgs.builder().build()
                : LabelSelectorArgs.builder().matchLabels(Map.of(Labels.PART_OF, Labels.APP)).build();
        denyAll("default-deny-ingress", "Ingress", ourPods, child);
        // Egress too: a compromised pod reaches nothing but the flows the tiers declare (no
        // internet, no API server, no other namespace). The DNS allow below comes with it.
        denyAll("default-deny-egress", "Egress", ourPods, child);
        NetworkPolicies.allowEgressToPods("allow-dns-egress", ourPods,
                NetworkPolicyPeerArgs.builder()
                        .namespaceSelector(LabelSelectorArgs.builder()
                                .matchLabels(Map.of("kubernetes.io/metadata.name", CLUSTER_DNS_NAMESPACE)).build())
                        .podSelector(LabelSelectorArgs.builder().matchLabels(CLUSTER_DNS_PODS).build())
                        .build(),
                List.of(new Port(53, "UDP"), new Port(53, "TCP")), this.name, child);
        var extra = network.extraEgress();
        for (int i = 0; i < extra.size(); i++) {
            var entry = extra.get(i);
            NetworkPolicies.allowEgressToAddresses("extra-egress-" + i,
                    NetworkPolicies.podsNamed(entry.from().stream().map(podNames::get).distinct().toList()),
                    List.of(entry.cidr()), entry.ports(), this.name, child);
        }

        registerOutputs(Map.of("name", this.name));
    }

    private void denyAll(String policyName, String direction, LabelSelectorArgs pods, CustomResourceOptions options) {
        new NetworkPolicy(policyName, NetworkPolicyArgs.builder()
                .metadata(Kube.metadata(policyName, this.name, Labels.of(Labels.APP, "network-policy")))
                .spec(NetworkPolicySpecArgs.builder().podSelector(pods).policyTypes(direction).build())
                .build(), options);
    }

    public Output<String> name() {
        return name;
    }

    /**
     * Kubernetes gives every namespace a "default" ServiceAccount, which any pod that names none
     * runs as, with its API token mounted unless it opts out. Ours all opt out; this makes the
     * namespace safe for any other pod too (CIS 5.1.5, checkov CKV_K8S_41). A Patch, because the
     * account is Kubernetes', not ours: destroying it only gives the field back.
     */
    private static void withoutDefaultToken(Output<String> namespace, CustomResourceOptions options) {
        new ServiceAccountPatch("default-service-account", ServiceAccountPatchArgs.builder()
                .metadata(ObjectMetaPatchArgs.builder().name("default").namespace(namespace)
                        .labels(Labels.of("default", "service-account")).build())
                .automountServiceAccountToken(false)
                .build(), options);
    }

    private static Map<String, String> podSecurityLabels() {
        var labels = new HashMap<>(Labels.of(Labels.APP, "namespace"));
        for (var mode : new String[] {"enforce", "audit", "warn"}) {
            labels.put("pod-security.kubernetes.io/" + mode, "restricted");
            labels.put("pod-security.kubernetes.io/" + mode + "-version", PodSecurity.POLICY_VERSION);
        }
        return labels;
    }
}
