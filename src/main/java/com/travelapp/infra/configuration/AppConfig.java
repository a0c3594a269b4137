package com.travelapp.infra.configuration;

import com.pulumi.core.Output;
import com.pulumi.kubernetes.core.v1.ConfigMap;
import com.pulumi.kubernetes.core.v1.ConfigMapArgs;
import com.pulumi.resources.ComponentResource;
import com.pulumi.resources.ComponentResourceOptions;
import com.pulumi.resources.CustomResourceOptions;
import com.travelapp.infra.kube.Kube;
import com.travelapp.infra.kube.Labels;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
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
     * @param databaseHost the database Service's name, so the backend follows the Service
     * @param allowedHosts the host names Django accepts; probes and scrapes are exempt in the app
     */
    public AppConfig(String name, Output<String> namespace, Output<String> databaseHost, int databasePort,
                     String databaseName, String databaseUser, List<String> allowedHosts,
                     ComponentResourceOptions options) {
        super("travel:app:AppConfig", name, options);
        Output<Map<String, String>> data = databaseHost.applyValue(host -> {
            var values = new TreeMap<String, String>();
            values.put("DB_HOST", host);
            values.put("DB_PORT", String.valueOf(databasePort));
            values.put("DB_NAME", databaseName);
            values.put("DB_USER", databaseUser);
            values.put("ALLOWED_HOSTS", String.join(",", allowedHosts));
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
