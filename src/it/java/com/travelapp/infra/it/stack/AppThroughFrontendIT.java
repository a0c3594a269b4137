package com.travelapp.infra.it.stack;

import static org.assertj.core.api.Assertions.assertThat;

import com.travelapp.infra.backend.Backend;
import com.travelapp.infra.frontend.Frontend;
import com.travelapp.infra.it.support.Command;
import com.travelapp.infra.it.support.Http;
import com.travelapp.infra.it.support.Integration;
import com.travelapp.infra.it.support.ItEnvironment;
import com.travelapp.infra.kube.Labels;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The app answers through frontendUrl, the address a user opens: the React page from nginx, and a
 * trip made in a real headless Chromium (app/e2e/e2e.mjs: Node and playwright-core driving Debian's
 * Chromium, the same browser script the app suite runs) travels nginx -> the backend Service ->
 * gunicorn -> PostgreSQL and back.
 */
@Order(6)
@ExtendWith(Integration.class)
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class AppThroughFrontendIT {
    private ItEnvironment env;
    private KubernetesClient kube;
    private String ns;
    private String url;

    @BeforeEach
    void deployed(ItEnvironment env) {
        this.env = env;
        url = env.deployedStack().output("frontendUrl");
        kube = env.kube();
        ns = env.localConfig("namespace");
    }

    @Test
    void frontendUrlServesTheReactApp() {
        var page = Http.get(url + "/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("<div id=\"root\">");
    }

    @Test
    void aTripCreatedThroughTheFormInHeadlessChromiumIsListedByTheApiAndPassedThroughNginxAndGunicorn() throws Exception {
        Path e2e = env.projectDir().resolve("app/e2e");
        assertThat(e2e.resolve("node_modules/playwright-core")).as("npm ci in app/e2e (scripts/test.sh does it)").exists();
        Path profile = Files.createDirectories(env.workDir().resolve("chromium-profile"));
        Command.Result browser = Command.run(e2e, Map.of("BASE_URL", url, "USER_DATA_DIR", profile.toString(),
                "ARTIFACTS", env.workDir().resolve("artifacts").toString(), "KEEP_TRIP", "1"),
                Duration.ofMinutes(5), List.of("node", "e2e.mjs"));
        System.out.println(browser.output().indent(4));
        List<String> lines = browser.output().lines().toList();
        assertThat(lines).as("browser checks").anyMatch(l -> l.startsWith("PASS ")).noneMatch(l -> l.startsWith("FAIL "));
        assertThat(browser.exitCode()).isZero();
        String kept = lines.stream().filter(l -> l.startsWith("KEPT ")).findFirst()
                .orElseThrow(() -> new AssertionError("the browser kept no trip")).substring("KEPT ".length());
        String title = kept.substring(kept.indexOf(' ') + 1);

        var listed = Http.json(Http.get(url + "/api/trips/?page_size=100")).getAsJsonObject().getAsJsonArray("results");
        assertThat(StreamSupport.stream(listed.spliterator(), false).map(t -> t.getAsJsonObject().get("title").getAsString()))
                .contains(title);
        assertThat(logs(Frontend.NAME)).as("nginx access logs").contains("\"POST /api/trips/");
        assertThat(logs(Backend.NAME)).as("gunicorn access logs").contains("\"POST /api/trips/ ");
    }

    private String logs(String name) {
        StringBuilder all = new StringBuilder();
        kube.pods().inNamespace(ns).withLabel(Labels.NAME, name).list().getItems().forEach(pod ->
                all.append(kube.pods().inNamespace(ns).withName(pod.getMetadata().getName()).getLog()));
        return all.toString();
    }
}
