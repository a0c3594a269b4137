package com.travelapp.infra.configuration;

import com.pulumi.core.Output;
import com.pulumi.kubernetes.core.v1.ConfigMap;
import com.pulumi.kubernetes.core.v1.ConfigMapArgs;
import com.pulumi.resources.ComponentResource;
import com.pulumi.resources.ComponentResourceOptions;
import com.pulumi.resources.CustomResourceOptions;
import com.travelapp.infra.database.Database;
import com.travelapp.infra.kube.Kube;
import com.travelapp.infra.kube.Labels;
import com.travelapp.infra.settings.BackendSettings;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The backend's non-secret settings, ConfigMap {@code app-config}: the names Django reads. */
public final class AppConfig extends ComponentResource {
    public static final String NAME = "app-config";
    public static final List<String> KEYS = List.of("DB_HOST", "DB_PORT", "DB_NAME", "DB_USER", "ALLOWED_HOSTS", "DEBUG");

    private final Output<String> name;
    private final Output<String> checksum;

    /**
     * @param database where and as whom the backend connects; DB_HOST is the Service's name, so the backend follows it
     * @param backendServiceName the backend Service, whose names (what Nginx sends as Host) Django always accepts
     */
    public record Inputs(Output<String> namespace, Database.Connection database, String backendServiceName) {}

    /** The backend's settings give the extra host names Django accepts; probes and scrapes are exempt in the app. */
    public AppConfig(String name, BackendSettings backend, Inputs in, ComponentResourceOptions options) {
        super("travel:app:AppConfig", name, options);
        var namespace = in.namespace();
        var database = in.database();
        Output<Map<String, String>> data = Output.tuple(database.host(), namespace).applyValue(t -> {
            var values = new TreeMap<String, String>();
            values.put("DB_HOST", t.t1);
            values.put("DB_PORT", String.valueOf(database.port()));
            values.put("DB_NAME", database.name());
            values.put("DB_USER", database.user());
            values.put("ALLOWED_HOSTS", String.join(",", allowedHosts(in.backendServiceName(), t.t2, backend.extraAllowedHosts())));
            values.put("DEBUG", "false");
            return Map.copyOf(values);
        });
        // A fixed name referenced by pods; a data change replaces the ConfigMap, so delete first.
        var configMap = new ConfigMap(NAME, ConfigMapArgs.builder()
                .metadata(Kube.metadata(NAME, namespace, Labels.of("backend", "configuration")))
                .data(data)
                .build(), CustomResourceOptions.builder().parent(this).deleteBeforeReplace(true).build());

        this.name = configMap.metadata().applyValue(m -> m.name().orElseThrow());
        this.checksum = data.applyValue(AppConfig::sha256);
        registerOutputs(Map.of("name", this.name, "checksum", this.checksum));
    }

    /** The backend Service's names within the cluster, plus any configured extras. */
    static List<String> allowedHosts(String service, String namespace, List<String> extras) {
        var hosts = new ArrayList<>(List.of(service, service + "." + namespace, service + "." + namespace + ".svc",
                service + "." + namespace + ".svc.cluster.local"));
        hosts.addAll(extras);
        return hosts;
    }

    public Output<String> name() {
        return name;
    }

    /** Pods carry it as an annotation, so a config change rolls them instead of going unnoticed. */
    public Output<String> checksum() {
        return checksum;
    }

    public static String sha256(Map<String, String> data) {
        try {
            var digest = MessageDigest.getInstance("SHA-256");
            new TreeMap<>(data).forEach((k, v) -> digest.update((k + "=" + v + "\n").getBytes(StandardCharsets.UTF_8)));
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JVM", e);
        }
    }
}
