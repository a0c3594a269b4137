package com.travelapp.infra.it.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import com.travelapp.infra.backend.Backend;
import com.travelapp.infra.it.support.Http;
import com.travelapp.infra.it.support.Integration;
import com.travelapp.infra.it.support.ItEnvironment;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.Order;

/** Prometheus, on its NodePort, scrapes the app found by annotation and answers the dashboards from live data. */
@Order(7)
@ExtendWith(Integration.class)
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class PrometheusIT {
    private ItEnvironment env;
    private String prometheus;
    private String ns;

    @BeforeEach
    void deployed(ItEnvironment env) {
        this.env = env;
        prometheus = env.deployedStack().output("prometheusUrl");
        ns = env.localConfig("namespace");
        String url = env.stack().output("frontendUrl");
        for (int i = 0; i < 20; i++) {
            Http.status(url + "/api/trips/");
        }
    }

    private JsonArray query(String promql) {
        String q = URLEncoder.encode(promql, StandardCharsets.UTF_8);
        return Http.json(Http.get(prometheus + "/api/v1/query?query=" + q)).getAsJsonObject()
                .getAsJsonObject("data").getAsJsonArray("result");
    }

    @Test
    void prometheusReportsTheVersionOfItsImage() {
        String tag = env.localConfig("prometheusImage").replaceFirst(".*:v?", "");
        assertThat(Http.json(Http.get(prometheus + "/api/v1/status/buildinfo")).getAsJsonObject()
                .getAsJsonObject("data").get("version").getAsString()).isEqualTo(tag);
    }

    @Test
    void prometheusScrapesEveryBackendPodFoundByAnnotationAsUp() {
        int replicas = Integer.parseInt(env.localConfig("backendReplicas"));
        String promql = "count(up{job=\"kubernetes-pods\",namespace=\"" + ns + "\",name=\"" + Backend.NAME + "\"} == 1)";
        try {
            await("Prometheus has " + replicas + " backend targets up").atMost(Duration.ofSeconds(180))
                    .pollInterval(Duration.ofSeconds(5)).ignoreExceptions()
                    .untilAsserted(() -> assertThat(query(promql).get(0).getAsJsonObject().getAsJsonArray("value")
                            .get(1).getAsDouble()).isEqualTo(replicas));
        } catch (AssertionError | org.awaitility.core.ConditionTimeoutException e) {
            for (JsonElement target : Http.json(Http.get(prometheus + "/api/v1/targets?state=active")).getAsJsonObject()
                    .getAsJsonObject("data").getAsJsonArray("activeTargets")) {
                System.out.println("    target " + target.getAsJsonObject().get("labels") + " "
                        + target.getAsJsonObject().get("health") + " " + target.getAsJsonObject().get("lastError"));
            }
            throw e;
        }
    }

    @Test
    void everyQueryOfTheRequestsDashboardReturnsSeriesFromTheLiveCluster() throws Exception {
        String dashboard = Files.readString(env.projectDir().resolve("src/main/resources/monitoring/dashboards/requests.json"));
        List<String> queries = new ArrayList<>();
        for (JsonElement panel : JsonParser.parseString(dashboard).getAsJsonObject().getAsJsonArray("panels")) {
            JsonArray targets = panel.getAsJsonObject().getAsJsonArray("targets");
            for (JsonElement target : targets == null ? new JsonArray() : targets) {
                JsonElement expr = target.getAsJsonObject().get("expr");
                if (expr != null && !expr.getAsString().isBlank()) {
                    queries.add(expr.getAsString().replace("${namespace}", ns).replace("$namespace", ns));
                }
            }
        }
        assertThat(queries).isNotEmpty();
        await("every panel query has series").atMost(Duration.ofSeconds(150)).pollInterval(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(queries).allSatisfy(q -> assertThat(query(q)).as(q).isNotEmpty()));
    }
}
