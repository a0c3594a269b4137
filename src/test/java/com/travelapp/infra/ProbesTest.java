package com.travelapp.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.pulumi.test.PulumiTest;
import com.travelapp.infra.StackRun.Registered;
import com.travelapp.infra.database.Database;
import com.travelapp.infra.frontend.Frontend;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Each long-running container's probes: liveness asks "is this process wedged?", readiness "should
 * it get traffic now?", a startup probe guards a slow start; where the difference matters they ask
 * different things, and liveness always waits longer than readiness.
 */
class ProbesTest {
    private static final String ACCEPTING = "exec pg_isready -t 3 -h 127.0.0.1 -p 5432 -U \"$POSTGRES_USER\" -d \"$POSTGRES_DB\"";
    private static final String ANSWERING = "pg_isready -t 3 -h 127.0.0.1 -p 5432 -U \"$POSTGRES_USER\" -d \"$POSTGRES_DB\"; [ $? -le 1 ]";

    private final StackRun run = StackRun.ofDefaults();

    @AfterEach
    void cleanup() {
        PulumiTest.cleanup();
    }

    private Map<String, Object> container(String name) {
        var workload = run.workloads().stream().filter(w -> w.name().equals(name)).findFirst().orElseThrow();
        return workload.map("spec", "template", "spec", "containers", 0);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> probe(Map<String, Object> container, String kind) {
        return (Map<String, Object>) container.get(kind + "Probe");
    }

    /** What the probe runs: an HTTP path, or the shell command of an exec probe. */
    private static String action(Map<String, Object> probe) {
        if (probe.get("httpGet") instanceof Map<?, ?> http) {
            assertEquals("http", http.get("port"), "probes go to the named container port");
            return String.valueOf(http.get("path"));
        }
        var command = (List<?>) ((Map<?, ?>) probe.get("exec")).get("command");
        assertEquals(List.of("sh", "-c"), command.subList(0, 2));
        return String.valueOf(command.get(2));
    }

    private static int number(Map<String, Object> probe, String field) {
        return ((Number) probe.get(field)).intValue();
    }

    /** The longest a failing probe can take to reach its threshold: seconds from the first miss to the verdict. */
    private static int window(Map<String, Object> probe) {
        return number(probe, "periodSeconds") * number(probe, "failureThreshold");
    }

    @ParameterizedTest(name = "{0} {1}: {2} every {3} s, {4} s timeout, {5} misses")
    @CsvSource(delimiter = '|', value = {
            "frontend | readiness | /readyz | 5 | 2 | 2",
            "frontend | liveness | /healthz | 20 | 2 | 3",
            "backend | startup | /healthz | 5 | | 30",
            "backend | readiness | /readyz | 10 | 3 | 3",
            "backend | liveness | /healthz | 20 | 3 | 3",
            "postgres | startup | " + ANSWERING + " | 5 | 5 | 60",
            "postgres | readiness | " + ACCEPTING + " | 5 | 5 | 2",
            "postgres | liveness | " + ANSWERING + " | 10 | 5 | 6",
            "prometheus | readiness | /-/ready | 10 | 3 | 3",
            "prometheus | liveness | /-/healthy | 20 | 3 | 3",
            "grafana | startup | /healthz | 5 | 3 | 36",
            "grafana | readiness | /api/health | 10 | 3 | 3",
            "grafana | liveness | /healthz | 20 | 3 | 3",
    })
    void eachProbeHasItsShape(String workload, String kind, String action, int period, Integer timeout, int failures) {
        var probe = probe(container(workload), kind);
        assertEquals(action, action(probe));
        assertEquals(period, number(probe, "periodSeconds"));
        assertEquals(timeout, probe.get("timeoutSeconds") == null ? null : number(probe, "timeoutSeconds"));
        assertEquals(failures, number(probe, "failureThreshold"));
        assertNull(probe.get("initialDelaySeconds"), "a startup probe, not a fixed delay, waits for a slow start");
    }

    @Test
    void onlyTheSlowStartersHaveAStartupProbe() {
        for (var workload : List.of("frontend", "prometheus")) {
            assertNull(probe(container(workload), "startup"), workload + " answers within a second of starting");
        }
        for (var workload : List.of("backend", "postgres", "grafana")) {
            assertTrue(probe(container(workload), "startup") != null, workload);
        }
    }

    @Test
    void jobsHaveNoProbesTheyRunToCompletionUnderADeadline() {
        for (var workload : run.workloads()) {
            if (!workload.type().endsWith("Job")) {
                continue;
            }
            var container = workload.map("spec", "template", "spec", "containers", 0);
            for (var kind : List.of("startup", "readiness", "liveness")) {
                assertNull(probe(container, kind), workload.name() + " " + kind);
            }
            assertTrue(workload.at("spec", "activeDeadlineSeconds") instanceof Number, workload.name());
        }
    }

    @Test
    void everyLivenessProbeWaitsLongerThanItsReadinessProbe() {
        for (Registered workload : run.workloads()) {
            if (workload.type().endsWith("Job")) {
                continue;
            }
            var container = workload.map("spec", "template", "spec", "containers", 0);
            assertTrue(window(probe(container, "liveness")) > window(probe(container, "readiness")),
                    workload.name() + ": liveness " + window(probe(container, "liveness")) + " s, readiness "
                            + window(probe(container, "readiness")) + " s");
        }
    }

    @Test
    void theFrontendsLivenessAsksOnlyWhetherNginxAnswersAndNeitherProbeGoesToTheBackend() {
        var frontend = container("frontend");
        assertEquals(Frontend.LIVENESS_PATH, action(probe(frontend, "liveness")));
        assertEquals(Frontend.READINESS_PATH, action(probe(frontend, "readiness")));
        assertNotEquals(action(probe(frontend, "liveness")), action(probe(frontend, "readiness")));
        for (var kind : List.of("liveness", "readiness")) {
            assertTrue(!action(probe(frontend, kind)).startsWith("/api/"), kind + " must not depend on the backend");
        }
    }

    /**
     * A stuck PostgreSQL leaves the Service within 15 s (2 misses 5 s apart, each at most its 5 s
     * timeout) but is restarted only after a minute without any answer: ProbesIT stops the server for
     * the time between the two and sees it NotReady, then Ready, never restarted.
     */
    @Test
    void postgresLeavesTheServiceQuicklyButIsRestartedOnlyAfterAMinuteOfSilence() {
        var postgres = container(Database.NAME);
        var readiness = probe(postgres, "readiness");
        var liveness = probe(postgres, "liveness");
        assertNotEquals(action(liveness), action(readiness), "readiness asks for accepted connections, liveness for any answer");
        assertEquals(10, window(readiness));
        assertEquals(60, window(liveness));
        int readinessAtMost = window(readiness) + number(readiness, "timeoutSeconds");
        int livenessAtLeast = number(liveness, "periodSeconds") * (number(liveness, "failureThreshold") - 1);
        assertTrue(livenessAtLeast - readinessAtMost >= 30,
                "a stall of " + readinessAtMost + " to " + livenessAtLeast + " s must take postgres out without a restart");
    }
}
