package com.travelapp.infra.settings;

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
        String scrapeInterval) {}
