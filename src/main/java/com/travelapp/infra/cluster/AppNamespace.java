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
import com.pulumi.kubernetes.networking.v1.inputs.NetworkPolicySpecArgs;
import com.pulumi.resources.ComponentResource;
import com.pulumi.resources.ComponentResourceOptions;
import com.pulumi.resources.CustomResourceOptions;
import com.travelapp.infra.kube.Kube;
import com.travelapp.infra.kube.Labels;
import com.travelapp.infra.kube.PodSecurity;
import java.util.HashMap;
import java.util.Map;

/**
 * The namespace every tier lives in, enforcing Pod Security "restricted", whose default
 * ServiceAccount mounts no token, and the default-deny ingress policy that the tiers open up one
 * rule at a time.
 */
public final class AppNamespace extends ComponentResource {
    private final Output<String> name;

    public AppNamespace(String name, String namespace, boolean owned, ComponentResourceOptions options) {
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

        new NetworkPolicy("default-deny-ingress", NetworkPolicyArgs.builder()
                .metadata(Kube.metadata("default-deny-ingress", this.name, Labels.of(Labels.APP, "network-policy")))
                .spec(NetworkPolicySpecArgs.builder()
                        // In a namespace we own, deny for every pod; in a shared one, only for ours.
                        .podSelector(owned
                                ? LabelSelectorArgs.builder().build()
                                : LabelSelectorArgs.builder().matchLabels(Map.of(Labels.PART_OF, Labels.APP)).build())
                        .policyTypes("Ingress")
                        .build())
                .build(), child);

        registerOutputs(Map.of("name", this.name));
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
