package com.travelapp.infra.settings;

import java.util.List;

/**
 * The backend tier: the web pods and the migration Job (same image and pull policy, resources of their own).
 *
 * @param replicas how many web pods; with autoscaling on, the fewest the autoscaler keeps
 * @param extraAllowedHosts host names Django accepts besides the backend Service's own names
 */
public record BackendSettings(
        int replicas,
        Autoscaling autoscaling,
        String image,
        String imagePullPolicy,
        ComputeResources resources,
        ComputeResources migrationResources,
        List<String> extraAllowedHosts) {}
