package com.travelapp.infra.monitoring;

import com.pulumi.core.Output;
import com.pulumi.resources.ComponentResource;
import com.pulumi.resources.ComponentResourceOptions;
import com.travelapp.infra.settings.MonitoringSettings;
import java.util.Map;
import java.util.Optional;

/**
 * The monitoring tier of the diagram: Prometheus, and Grafana querying it. Grafana is left out
 * entirely when {@code grafanaEnabled} is false (a node that cannot run its image).
 */
public final class Monitoring extends ComponentResource {
    private final Output<String> prometheusHost;
    private final String prometheusUrl;
    private final Optional<String> grafanaUrl;

    /**
     * @param grafanaSecretName the Grafana admin Secret, present exactly when Grafana is enabled
     */
    public record Inputs(Output<String> namespace, Optional<Output<String>> grafanaSecretName) {}

    public Monitoring(String name, MonitoringSettings settings, Inputs in, ComponentResourceOptions options) {
        super("travel:app:Monitoring", name, options);
        var child = ComponentResourceOptions.builder().parent(this).build();
        var namespace = in.namespace();
        var prometheus = new Prometheus("prometheus", settings.prometheus(), namespace, child);
        this.prometheusHost = Output.tuple(prometheus.serviceName(), namespace).applyValue(t -> t.t1 + "." + t.t2 + ".svc");
        this.prometheusUrl = nodeUrl(settings, settings.prometheus().nodePort());
        var grafana = settings.grafana();
        if (grafana.enabled()) {
            new Grafana("grafana", grafana, new Grafana.Inputs(namespace,
                    prometheusHost.applyValue(host -> "http://" + host + ":" + Prometheus.PORT),
                    in.grafanaSecretName().orElseThrow(() -> new IllegalArgumentException("Grafana is enabled but has no admin Secret"))),
                    child);
        }
        this.grafanaUrl = grafana.enabled() ? Optional.of(nodeUrl(settings, grafana.nodePort())) : Optional.empty();
        registerOutputs(Map.of("prometheusHost", prometheusHost));
    }

    private static String nodeUrl(MonitoringSettings settings, int nodePort) {
        return "http://" + settings.nodeAddress() + ":" + nodePort;
    }

    public Output<String> prometheusHost() {
        return prometheusHost;
    }

    /** Where users open Prometheus: its node port on the node address. */
    public String prometheusUrl() {
        return prometheusUrl;
    }

    /** Where users open Grafana; empty when it is not deployed. */
    public Optional<String> grafanaUrl() {
        return grafanaUrl;
    }
}
