package com.travelapp.infra.monitoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The Grafana dashboards, checked structurally: what Grafana needs to load them and what makes every
 * panel query the provisioned Prometheus datasource. (Whether each query answers is checked against a
 * live Prometheus by the monitoring suite (tests/monitoring).)
 */
class DashboardsTest {
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{?([A-Za-z_][A-Za-z0-9_]*)");
    private static final List<String> GRAFANA_BUILTINS = List.of("__rate_interval", "__interval", "__range", "__interval_ms");

    private static JsonObject dashboard(String file) {
        return JsonParser.parseString(MonitoringFiles.dashboards().get(file)).getAsJsonObject();
    }

    /** Panels, including those nested in collapsed rows. */
    private static List<JsonObject> panels(JsonObject dashboard) {
        var all = new ArrayList<JsonObject>();
        for (JsonElement panel : dashboard.getAsJsonArray("panels")) {
            all.add(panel.getAsJsonObject());
            if (panel.getAsJsonObject().has("panels")) {
                panel.getAsJsonObject().getAsJsonArray("panels").forEach(p -> all.add(p.getAsJsonObject()));
            }
        }
        return all;
    }

    @SuppressWarnings("unchecked")
    private static String provisionedDatasourceUid() {
        Map<String, Object> parsed = new Yaml().load(MonitoringFiles.grafanaDatasources("http://prometheus:9090", "15s"));
        var datasources = (List<Map<String, Object>>) parsed.get("datasources");
        assertEquals(1, datasources.size());
        assertEquals("prometheus", datasources.get(0).get("type"));
        return (String) datasources.get(0).get("uid");
    }

    @Test
    void theProvisionedDatasourceHasTheUidTheDashboardsUse() {
        assertEquals(MonitoringFiles.DATASOURCE_UID, provisionedDatasourceUid());
    }

    @Test
    void everyDashboardHasAUniqueFixedUidATitleAndPanels() {
        var uids = new HashSet<String>();
        for (var file : MonitoringFiles.DASHBOARDS) {
            var dashboard = dashboard(file);
            var uid = dashboard.get("uid").getAsString();
            assertTrue(uid.matches("[a-z0-9-]{1,40}"), file + ": uid " + uid);
            assertTrue(uids.add(uid), file + ": uid " + uid + " used twice");
            assertFalse(dashboard.get("title").getAsString().isBlank(), file);
            assertFalse(dashboard.has("id") && !dashboard.get("id").isJsonNull(), file + ": a fixed id clashes on import; use uid");
            assertFalse(panels(dashboard).isEmpty(), file + " has no panels");
        }
        assertEquals(MonitoringFiles.DASHBOARDS.size(), uids.size());
    }

    @Test
    void everyPanelQueriesTheProvisionedPrometheusWithNonEmptyTargets() {
        var uid = provisionedDatasourceUid();
        for (var file : MonitoringFiles.DASHBOARDS) {
            var ids = new HashSet<Integer>();
            for (var panel : panels(dashboard(file))) {
                var title = file + " / " + panel.get("title").getAsString();
                assertTrue(ids.add(panel.get("id").getAsInt()), title + ": panel id used twice");
                assertTrue(panel.has("gridPos"), title + ": no gridPos");
                if ("row".equals(panel.get("type").getAsString())) {
                    continue;
                }
                assertEquals(uid, panel.getAsJsonObject("datasource").get("uid").getAsString(), title);
                JsonArray targets = panel.getAsJsonArray("targets");
                assertTrue(targets != null && !targets.isEmpty(), title + ": no targets");
                var refIds = new HashSet<String>();
                for (JsonElement element : targets) {
                    var target = element.getAsJsonObject();
                    assertEquals(uid, target.getAsJsonObject("datasource").get("uid").getAsString(), title);
                    assertTrue(refIds.add(target.get("refId").getAsString()), title + ": refId used twice");
                    var expr = target.get("expr").getAsString();
                    assertFalse(expr.isBlank(), title + ": empty query");
                    assertEquals(count(expr, '('), count(expr, ')'), title + ": unbalanced parentheses in " + expr);
                    assertEquals(count(expr, '{'), count(expr, '}'), title + ": unbalanced braces in " + expr);
                }
            }
        }
    }

    @Test
    void everyVariableAQueryUsesIsDefinedAndQueriesThePrometheusDatasource() {
        var uid = provisionedDatasourceUid();
        for (var file : MonitoringFiles.DASHBOARDS) {
            var dashboard = dashboard(file);
            var defined = new HashSet<String>();
            for (JsonElement element : dashboard.getAsJsonObject("templating").getAsJsonArray("list")) {
                var variable = element.getAsJsonObject();
                defined.add(variable.get("name").getAsString());
                if ("query".equals(variable.get("type").getAsString())) {
                    assertEquals(uid, variable.getAsJsonObject("datasource").get("uid").getAsString(), file);
                }
            }
            for (var panel : panels(dashboard)) {
                if (!panel.has("targets")) {
                    continue;
                }
                for (JsonElement target : panel.getAsJsonArray("targets")) {
                    var matcher = VARIABLE.matcher(target.getAsJsonObject().get("expr").getAsString());
                    while (matcher.find()) {
                        var name = matcher.group(1);
                        assertTrue(defined.contains(name) || GRAFANA_BUILTINS.contains(name),
                                file + " / " + panel.get("title").getAsString() + " uses undefined $" + name);
                    }
                }
            }
        }
    }

    @Test
    void theProviderLoadsTheDashboardsFromTheMountedDirectory() {
        Map<String, Object> parsed = new Yaml().load(MonitoringFiles.grafanaDashboardProviders());
        @SuppressWarnings("unchecked")
        var provider = ((List<Map<String, Object>>) parsed.get("providers")).get(0);
        assertEquals("file", provider.get("type"));
        assertEquals("/var/lib/grafana/dashboards", ((Map<?, ?>) provider.get("options")).get("path"));
    }

    private static long count(String text, char c) {
        return text.chars().filter(ch -> ch == c).count();
    }
}
