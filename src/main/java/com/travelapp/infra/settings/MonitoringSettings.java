package com.travelapp.infra.settings;

/**
 * The monitoring tier: Prometheus, and Grafana querying it.
 *
 * @param nodeAddress the host name or IP under which their node ports are reachable, used to build URLs
 */
public record MonitoringSettings(String nodeAddress, PrometheusSettings prometheus, GrafanaSettings grafana) {}
