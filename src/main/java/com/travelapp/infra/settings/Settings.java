package com.travelapp.infra.settings;

/**
 * Everything the stack needs to know, read once from stack config by {@link SettingsReader} and
 * validated before any resource is declared. Each tier's record holds all that tier needs (image,
 * replicas, pull policy, requests and limits, ...); its component receives that record and never
 * reads config itself.
 */
public record Settings(
        String namespace,
        FrontendSettings frontend,
        BackendSettings backend,
        DatabaseSettings database,
        BackupSettings backup,
        MonitoringSettings monitoring,
        NetworkSettings network) {

    /** The reference architecture runs everything in {@code default}; we only create namespaces we own. */
    public boolean ownsNamespace() {
        return !"default".equals(namespace);
    }
}
