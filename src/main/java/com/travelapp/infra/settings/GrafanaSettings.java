package com.travelapp.infra.settings;

/**
 * @param enabled false on a node that cannot run the Grafana image: no Grafana object, Secret or
 *     password is declared at all, and the other values are then unused
 * @param scrapeInterval Prometheus's, which its datasource uses as the shortest query step
 */
public record GrafanaSettings(
        boolean enabled,
        String image,
        String imagePullPolicy,
        ComputeResources resources,
        int nodePort,
        String adminUser,
        String scrapeInterval) {}
