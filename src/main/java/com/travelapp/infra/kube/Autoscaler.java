package com.travelapp.infra.kube;

import com.pulumi.core.Output;
import com.pulumi.kubernetes.autoscaling.v2.HorizontalPodAutoscaler;
import com.pulumi.kubernetes.autoscaling.v2.HorizontalPodAutoscalerArgs;
import com.pulumi.kubernetes.autoscaling.v2.inputs.CrossVersionObjectReferenceArgs;
import com.pulumi.kubernetes.autoscaling.v2.inputs.HPAScalingPolicyArgs;
import com.pulumi.kubernetes.autoscaling.v2.inputs.HPAScalingRulesArgs;
import com.pulumi.kubernetes.autoscaling.v2.inputs.HorizontalPodAutoscalerBehaviorArgs;
import com.pulumi.kubernetes.autoscaling.v2.inputs.HorizontalPodAutoscalerSpecArgs;
import com.pulumi.kubernetes.autoscaling.v2.inputs.MetricSpecArgs;
import com.pulumi.kubernetes.autoscaling.v2.inputs.MetricTargetArgs;
import com.pulumi.kubernetes.autoscaling.v2.inputs.ResourceMetricSourceArgs;
import com.pulumi.resources.CustomResourceOptions;
import com.travelapp.infra.settings.Autoscaling;
import java.util.Map;

/**
 * A tier's HorizontalPodAutoscaler on CPU, and how its Deployment leaves the replica count to it.
 * Shared by the frontend and the backend, whose Deployments it scales.
 *
 * <p>Why the Deployment omits {@code spec.replicas} while an autoscaler runs: our provider
 * (pulumi-kubernetes 4, {@code enableServerSideApply} true by default) creates and updates objects
 * by server-side apply, and a field left out of our apply is not ours. The autoscaler writes the
 * count through the scale subresource (field manager kube-controller-manager); nothing of ours
 * reverts it, and {@code pulumi preview}, which compares our inputs with the state, never sees it.
 * Declared, the count would be applied again with every change of the Deployment and, as the
 * provider does not force by default, stop {@code pulumi up} with a conflict on
 * {@code .spec.replicas}. docs/operations.md ("Autoscale") has the transitions on and off.
 */
public final class Autoscaler {
    /**
     * On the Deployments an autoscaler may scale: our apply wins conflicts on the fields it declares.
     * After autoscaling is turned off, kube-controller-manager still owns {@code spec.replicas} (the
     * autoscaler's last scale; the ownership outlives the autoscaler) and our count would conflict with
     * it. A manual {@code kubectl scale} is likewise overridden at the next update, instead of failing
     * it: the stack is the single source of truth.
     */
    public static final Map<String, String> DEPLOYMENT_ANNOTATIONS = Map.of("pulumi.com/patchForce", "true");

    private Autoscaler() {}

    /** The Deployment's {@code spec.replicas}: REPLICAS, or null (the field left out) when the autoscaler owns the count. */
    public static Output<Integer> replicas(int replicas, Autoscaling autoscaling) {
        return autoscaling.enabled() ? null : Output.of(replicas);
    }

    /**
     * Keeps the Deployment NAME between MIN_REPLICAS and the settings' maximum, aiming at their average
     * CPU use in percent of the pods' CPU request. Needs the resource metrics API (metrics-server):
     * without it the autoscaler still holds the count within its range but cannot follow the load.
     */
    public static HorizontalPodAutoscaler forDeployment(String name, Output<String> namespace, Map<String, String> labels,
                                                        int minReplicas, Autoscaling settings, CustomResourceOptions options) {
        return new HorizontalPodAutoscaler(name, HorizontalPodAutoscalerArgs.builder()
                .metadata(Kube.metadata(name, namespace, labels))
                .spec(HorizontalPodAutoscalerSpecArgs.builder()
                        .scaleTargetRef(CrossVersionObjectReferenceArgs.builder()
                                .apiVersion("apps/v1").kind("Deployment").name(name).build())
                        .minReplicas(minReplicas)
                        .maxReplicas(settings.maxReplicas())
                        .metrics(MetricSpecArgs.builder()
                                .type("Resource")
                                .resource(ResourceMetricSourceArgs.builder()
                                        .name("cpu")
                                        .target(MetricTargetArgs.builder()
                                                .type("Utilization").averageUtilization(settings.targetCpuUtilization()).build())
                                        .build())
                                .build())
                        .behavior(outFastInSlowly(settings.scaleDownStabilizationSeconds()))
                        .build())
                .build(), options);
    }

    /**
     * Out at once, in slowly. Up: no stabilization, then at most 4 more pods or twice as many per
     * 15 s, whichever is more: Kubernetes' defaults, written out so that the object says what it
     * does. Down: only once every recommendation of the last WINDOW seconds was lower (300 s by
     * default: a lull between bursts does not take away the pods the next burst needs, each new one
     * costing a start-up), then at most half of the pods per minute, so that load which comes back
     * finds capacity left.
     */
    private static HorizontalPodAutoscalerBehaviorArgs outFastInSlowly(int scaleDownWindowSeconds) {
        return HorizontalPodAutoscalerBehaviorArgs.builder()
                .scaleUp(HPAScalingRulesArgs.builder()
                        .stabilizationWindowSeconds(0)
                        .selectPolicy("Max")
                        .policies(policy("Pods", 4, 15), policy("Percent", 100, 15))
                        .build())
                .scaleDown(HPAScalingRulesArgs.builder()
                        .stabilizationWindowSeconds(scaleDownWindowSeconds)
                        .selectPolicy("Max")
                        .policies(policy("Percent", 50, 60))
                        .build())
                .build();
    }

    private static HPAScalingPolicyArgs policy(String type, int value, int periodSeconds) {
        return HPAScalingPolicyArgs.builder().type(type).value(value).periodSeconds(periodSeconds).build();
    }
}
