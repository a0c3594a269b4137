package com.travelapp.infra.kube;

import java.util.Map;

/** The one label vocabulary of the stack: Kubernetes' recommended {@code app.kubernetes.io/*} labels. */
public final class Labels {
    public static final String NAME = "app.kubernetes.io/name";
    public static final String COMPONENT = "app.kubernetes.io/component";
    public static final String PART_OF = "app.kubernetes.io/part-of";
    public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
    public static final String APP = "travel-app";

    private Labels() {}

    /** What Services, NetworkPolicies and PodDisruptionBudgets select on: small and never changing. */
    public static Map<String, String> selector(String name) {
        return Map.of(NAME, name, PART_OF, APP);
    }

    public static Map<String, String> of(String name, String component) {
        return Map.of(NAME, name, COMPONENT, component, PART_OF, APP, MANAGED_BY, "pulumi");
    }
}
