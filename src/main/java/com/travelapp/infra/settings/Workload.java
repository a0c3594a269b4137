package com.travelapp.infra.settings;

import java.util.Locale;

/**
 * The containers whose requests and limits are configurable under {@code resources.<workload>}.
 *
 * <p>Ephemeral storage (docs/operations.md, "Ephemeral storage", has the measurements). Every root
 * filesystem is read-only, so a container writes to the node's disk only its logs and its pod's
 * emptyDirs. The kubelet evicts a pod whose emptyDirs, configMap files and containers' writable layers
 * and logs together exceed the sum of its containers' limits, so each limit is at least the pod's
 * emptyDir sizeLimits plus {@value #LOG_MEBIBYTES}Mi of logs, rounded up. The requests are what the
 * container was measured to hold once its log has been rotated a few times, so that the scheduler
 * reserves what the pod really uses.
 */
public enum Workload {
    /** emptyDirs tmp 64Mi + nginx-conf 1Mi = 65Mi, + 50Mi of logs = 115Mi. Request: its access log once rotated. */
    FRONTEND(new ComputeResources("50m", "32Mi", "250m", "128Mi", "32Mi", "128Mi")),
    /** emptyDir tmp 128Mi + 50Mi of logs = 178Mi. Request: its access log (probes and scrapes too) once rotated. */
    BACKEND(new ComputeResources("100m", "192Mi", "500m", "512Mi", "32Mi", "192Mi")),
    /** emptyDir tmp 64Mi + 50Mi of logs = 114Mi. Request: a few log lines and nothing in /tmp. */
    MIGRATIONS(new ComputeResources("100m", "128Mi", "500m", "384Mi", "16Mi", "128Mi")),
    /** emptyDirs run 16Mi + tmp 256Mi = 272Mi, + 50Mi of logs = 322Mi. The data is on its claim, not here. */
    DATABASE(new ComputeResources("100m", "256Mi", "1", "1Gi", "16Mi", "384Mi")),
    /** emptyDir tmp 64Mi + 50Mi of logs = 114Mi. The dumps are on their claim, not here. */
    BACKUP(new ComputeResources("50m", "64Mi", "500m", "256Mi", "16Mi", "128Mi")),
    /** emptyDir data (the TSDB) 2Gi + 50Mi of logs = 2098Mi. Request: 7 days of TSDB at the measured rate, twice. */
    PROMETHEUS(new ComputeResources("100m", "256Mi", "500m", "1Gi", "512Mi", "2176Mi")),
    /** emptyDirs data 512Mi + tmp 64Mi = 576Mi, + 50Mi of logs = 626Mi. Request: its SQLite database, estimated. */
    GRAFANA(new ComputeResources("50m", "128Mi", "250m", "384Mi", "64Mi", "640Mi"));

    /**
     * What a container's logs can take: the kubelet rotates a log at containerLogMaxSize (10Mi by
     * default) and keeps containerLogMaxFiles (5) files of it, so at most 5 x 10Mi.
     */
    public static final int LOG_MEBIBYTES = 50;

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
