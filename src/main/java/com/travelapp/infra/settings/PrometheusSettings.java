package com.travelapp.infra.settings;

import java.util.List;

/**
 * @param namespace the namespace it scrapes, which also qualifies its cluster-wide RBAC objects' names
 * @param scrapeInterval a Prometheus duration, such as 15s
 */
public record PrometheusSettings(
        String namespace,
        String image,
        String imagePullPolicy,
        ComputeResources resources,
        int nodePort,
        String scrapeInterval,
        List<NetworkSettings.Endpoint> apiServerEndpoints) {}
