package com.travelapp.infra.settings;

import java.util.Locale;

/** The containers whose requests and limits are configurable under {@code resources.<workload>}. */
public enum Workload {
    FRONTEND(new ComputeResources("50m", "32Mi", "250m", "128Mi")),
    BACKEND(new ComputeResources("100m", "192Mi", "500m", "512Mi")),
    MIGRATIONS(new ComputeResources("100m", "128Mi", "500m", "384Mi")),
    DATABASE(new ComputeResources("100m", "256Mi", "1", "1Gi")),
    BACKUP(new ComputeResources("50m", "64Mi", "500m", "256Mi")),
    PROMETHEUS(new ComputeResources("100m", "256Mi", "500m", "1Gi")),
    GRAFANA(new ComputeResources("50m", "128Mi", "250m", "384Mi"));

    private final ComputeResources defaults;

    Workload(ComputeResources defaults) {
        this.defaults = defaults;
    }

    public ComputeResources defaults() {
        return defaults;
    }

    /** The name used in stack config, e.g. {@code resources.backend.memoryLimit}. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
