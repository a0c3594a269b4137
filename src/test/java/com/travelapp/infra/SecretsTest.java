package com.travelapp.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.pulumi.test.PulumiTest;
import com.travelapp.infra.configuration.AppSecrets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SecretsTest {
    private final StackRun run = StackRun.ofDefaults();

    @AfterEach
    void cleanup() {
        PulumiTest.cleanup();
    }

    @Test
    void everySecretIsGeneratedByPulumiRandomNotTyped() {
        var appSecret = run.one("kubernetes:core/v1:Secret", "app-secrets").map("stringData");
        assertEquals(Map.of(
                "db_password", StackRun.generated("database-password"),
                "django_secret_key", StackRun.generated("django-secret-key")), appSecret);
        var grafana = run.one("kubernetes:core/v1:Secret", "grafana-admin").map("stringData");
        assertEquals(StackRun.generated("grafana-admin-password"), grafana.get("admin-password"));
        assertEquals("admin", grafana.get("admin-user"));
    }

    @Test
    void theGrafanaAdminPasswordIsOnlyASecretOutput() {
        assertTrue(run.outputIsSecret("grafanaAdminPassword"));
        assertEquals(StackRun.generated("grafana-admin-password"), run.output("grafanaAdminPassword"));
    }

    @Test
    void noPlainStackOutputHoldsAGeneratedSecret() {
        var secrets = List.of("database-password", "django-secret-key", "grafana-admin-password").stream()
                .map(StackRun::generated).toList();
        int plain = 0;
        for (var name : run.result.outputs().keySet()) {
            if (run.outputIsSecret(name)) {
                continue;
            }
            plain++;
            var value = String.valueOf(run.output(name));
            for (var secret : secrets) {
                assertFalse(value.contains(secret), "output " + name + " holds a secret in clear");
            }
        }
        assertEquals(16, plain, "plain outputs checked");
    }

    @Test
    void theDatabasePasswordIsLettersAndDigitsOfLength32() {
        var password = run.one("random:index/randomPassword:RandomPassword", "database-password");
        assertEquals(32, password.integer("length"));
        assertEquals(false, password.at("special"));
    }

    @Test
    void theDatabasePasswordArgumentsAreFrozenSoItNeverChangesByAccident() {
        // PostgreSQL keeps its first password: if you must change these arguments, read docs/secrets.md
        // (rotation) first, then update this test deliberately.
        var args = AppSecrets.databasePasswordArgs();
        assertEquals(32, StackRun.value(args.length()));
        assertEquals(false, StackRun.value(args.special().orElseThrow()));
        var ignored = run.options("random:index/randomPassword:RandomPassword", "database-password").getIgnoreChanges();
        assertEquals(Set.of("length", "special", "upper", "lower", "numeric", "number", "overrideSpecial", "keepers",
                "minLower", "minUpper", "minNumeric", "minSpecial"), Set.copyOf(ignored),
                "the ignoreChanges the RandomPassword is declared with: every argument that would generate a new password");
    }
}
