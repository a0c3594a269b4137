package com.travelapp.infra.settings;

/**
 * A tier's HorizontalPodAutoscaler (autoscaling/v2, on CPU), from {@code frontendAutoscaling} or
 * {@code backendAutoscaling}. With it on, the tier's replica count ({@code frontendReplicas},
 * {@code backendReplicas}) is the fewest pods the autoscaler keeps: one number for the floor, so
 * that the two can never disagree.
 *
 * @param enabled false declares no autoscaler and the tier runs its replica count; the other values
 *     are then unused (but still checked: a bad value is a mistake either way)
 * @param maxReplicas the most pods the autoscaler may run
 * @param targetCpuUtilization the average CPU use the autoscaler aims at, in percent of the pods' CPU request
 * @param scaleDownStabilizationSeconds how long every recommendation must have been lower before pods are removed
 */
public record Autoscaling(boolean enabled, int maxReplicas, int targetCpuUtilization, int scaleDownStabilizationSeconds) {
    /** Off: autoscaling needs the resource metrics API (metrics-server), which kind and minikube lack by default. */
    public static final Autoscaling DEFAULTS = new Autoscaling(false, 10, 70, 300);
    /** With fewer the autoscaler could leave one pod at idle, which the tier's PodDisruptionBudget then never lets a drain evict. */
    public static final int MIN_REPLICAS = 2;
    public static final int MIN_TARGET_CPU_UTILIZATION = 10;
    public static final int MAX_TARGET_CPU_UTILIZATION = 100;
    /** The API's own limit for a stabilization window (one hour). */
    public static final int MAX_STABILIZATION_SECONDS = 3600;
}
