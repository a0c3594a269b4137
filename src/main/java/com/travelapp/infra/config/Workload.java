package com.travelapp.infra.config;

import java.util.Locale;

/** The containers whose requests and limits are configurable under {@code resources.<workload>}. */
public enum Workload {
    FRONTEND(new Settings.ComputeResources("50m", "32Mi", "250m", "128Mi")),
    BACKEND(new Settings.ComputeResources("100m", "192Mi", "500m", "512Mi")),
    MIGRATIONS(new Settings.ComputeResources("100m", "128Mi", "500m", "384Mi")),
    DATABASE(new Settings.ComputeResources("100m", "256Mi", "1", "1Gi")),
    BACKUP(new Settings.ComputeResources("50m", "64Mi", "500m", "256Mi")),
    PROMETHEUS(new Settings.ComputeResources("100m", "256Mi", "500m", "1Gi")),
    GRAFANA(new Settings.ComputeResources("50m", "128Mi", "250m", "384Mi"));

    private final Settings.ComputeResources defaults;

    Workload(Settings.ComputeResources defaults) {
        this.defaults = defaults;
    }

    public Settings.ComputeResources defaults() {
        return defaults;
    }

    /** The name used in stack config, e.g. {@code resources.backend.memoryLimit}. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
