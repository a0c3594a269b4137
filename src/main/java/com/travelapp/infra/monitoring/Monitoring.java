package com.travelapp.infra.monitoring;

import com.pulumi.core.Output;
import com.pulumi.resources.ComponentResource;
import com.pulumi.resources.ComponentResourceOptions;
import com.travelapp.infra.config.Settings;
import com.travelapp.infra.config.Workload;
import java.util.Map;
import java.util.Optional;

/**
 * The monitoring tier of the diagram: Prometheus, and Grafana querying it. Grafana is left out
 * entirely when {@code grafanaEnabled} is false (a node that cannot run its image).
 */
public final class Monitoring extends ComponentResource {
    private final Output<String> prometheusHost;

    /** @param grafanaSecretName the Grafana admin Secret, present exactly when Grafana is enabled */
    public Monitoring(String name, Output<String> namespace, Settings settings, Optional<Output<String>> grafanaSecretName,
                      ComponentResourceOptions options) {
        super("travel:app:Monitoring", name, options);
        var child = ComponentResourceOptions.builder().parent(this).build();
        var prometheus = new Prometheus("prometheus", namespace, settings.namespace(), settings.monitoring(),
                settings.resourcesOf(Workload.PROMETHEUS), settings.imagePullPolicy(), child);
        this.prometheusHost = Output.tuple(prometheus.serviceName(), namespace).applyValue(t -> t.t1 + "." + t.t2 + ".svc");
        if (settings.monitoring().grafanaEnabled()) {
            new Grafana("grafana", namespace, settings.monitoring(), settings.resourcesOf(Workload.GRAFANA),
                    settings.imagePullPolicy(), prometheusHost.applyValue(host -> "http://" + host + ":" + Prometheus.PORT),
                    grafanaSecretName.orElseThrow(() -> new IllegalArgumentException("Grafana is enabled but has no admin Secret")),
                    child);
        }
        registerOutputs(Map.of("prometheusHost", prometheusHost));
    }

    public Output<String> prometheusHost() {
        return prometheusHost;
    }
}
