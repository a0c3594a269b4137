package com.travelapp.infra.it.stack;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.Gson;
import com.travelapp.infra.configuration.AppSecrets;
import com.travelapp.infra.it.support.Integration;
import com.travelapp.infra.it.support.ItEnvironment;
import com.travelapp.infra.it.support.TestStack;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The generated secrets reach the cluster and nothing else a person reads: not the state, the outputs or the up log. */
@Order(8)
@ExtendWith(Integration.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class SecretsIT {
    @ParameterizedTest(name = "{0} is not in clear in the state, the outputs or the up log")
    @ValueSource(strings = {AppSecrets.DB_PASSWORD_KEY, AppSecrets.DJANGO_SECRET_KEY_KEY})
    void aGeneratedSecretIsNotInClearInTheStateTheOutputsOrTheUpLog(String key, ItEnvironment env) {
        TestStack.Run up = env.deploy();
        TestStack stack = env.stack();
        String encoded = env.kube().secrets().inNamespace(env.localConfig("namespace")).withName(AppSecrets.APP_SECRET)
                .get().getData().get(key);
        String value = new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);

        // Booleans, so that a failure does not print the secret itself.
        assertThat(value.length()).isGreaterThan(16);
        assertThat(stack.storedState().contains(value)).as(key + " in clear in the stored state").isFalse();
        assertThat(new Gson().toJson(stack.outputs()).contains(value)).as(key + " in clear in the outputs").isFalse();
        assertThat(up.output().contains(value)).as(key + " in clear in the up log").isFalse();
    }
}
