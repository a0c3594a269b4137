package com.travelapp.infra.settings;

import com.google.gson.JsonParser;
import java.util.Set;
import java.util.TreeSet;

/**
 * The keys of the stack config, which {@link com.pulumi.Config} can look up but not list. The
 * language host hands the program the whole stack config (Pulumi.yaml defaults merged in) as one
 * JSON object in {@code PULUMI_CONFIG}; the SDK's own Config reads the same variable
 * (DeploymentImpl.Config.parseConfig), so both see exactly the same keys.
 */
public final class StackConfigKeys {
    static final String VARIABLE = "PULUMI_CONFIG";

    private StackConfigKeys() {}

    public static Set<String> fromEnvironment() {
        return parse(System.getenv(VARIABLE));
    }

    /** The keys of a {@code PULUMI_CONFIG} value, namespace included; none when it is absent. */
    public static Set<String> parse(String json) {
        var keys = new TreeSet<String>();
        if (json == null || json.isBlank()) {
            return keys;
        }
        for (var key : JsonParser.parseString(json).getAsJsonObject().keySet()) {
            keys.add(withoutConfigSegment(key));
        }
        return keys;
    }

    /** Older engines send "travel-app:config:key"; the SDK drops the ":config" the same way (cleanKey). */
    private static String withoutConfigSegment(String key) {
        int colon = key.indexOf(':');
        return colon > 0 && key.startsWith("config:", colon + 1)
                ? key.substring(0, colon) + key.substring(colon + "config".length() + 1)
                : key;
    }
}
