package com.travelapp.infra.it.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.travelapp.infra.it.support.Integration;
import com.travelapp.infra.it.support.ItEnvironment;
import com.travelapp.infra.it.support.TestStack;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A bad stack setting fails `pulumi preview` with one clean error that names the setting, the bad
 * value and what is allowed, and creates or loses nothing: no stack trace, no logging noise, no
 * "exited with non-zero exit code" from the language host (offline/tools/pulumi-java/patches).
 */
@Order(15)
@ExtendWith(Integration.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class BadConfigIT {
    private static final Pattern NOISE = Pattern.compile(
            "Exception|\\s at [a-z]+\\.|SLF4J|SEVERE:|Running program \\[PID|exited with non-zero exit code");

    @ParameterizedTest(name = "{0} = ''{1}'' fails preview with: {2}")
    @CsvSource(delimiter = '|', textBlock = """
            backendReplica      | 5                    | backendReplica: unknown key; did you mean backendReplicas?
            backendReplicas     | 0                    | backendReplicas = "0": must be an integer from 1 to 100
            frontendReplicas    | two                  | frontendReplicas = "two": must be an integer from 1 to 100
            prometheusNodePort  | 80                   | prometheusNodePort = "80": must be an integer from 30000 to 32767
            databaseStorageSize | 2GB                  | databaseStorageSize = "2GB": must be a whole number with Mi, Gi or Ti
            frontendServiceType | Ingress              | frontendServiceType = "Ingress": must be LoadBalancer, NodePort or ClusterIP
            backendImage        | travel app/backend:1 | backendImage = "travel app/backend:1": must be an image reference
            namespace           | Travel_App           | namespace = "Travel_App": must be a DNS label
            backendReplicas     | 1                    | backendReplicas = "1": must be at least 2 while backendAutoscaling.enabled is true
            backendAutoscaling.targetCpuUtilization | 150 | backendAutoscaling.targetCpuUtilization = "150": must be an integer from 10 to 100
            """)
    void aBadSettingFailsPreviewWithOneCleanErrorAndChangesNothing(String key, String value, String message,
            ItEnvironment env) {
        TestStack stack = env.deployedStack();
        int resourcesBefore = stack.resourceCount();
        Optional<String> kept = stack.get(key);
        stack.set(key, value);
        try {
            assertThatThrownBy(stack::preview).isInstanceOfSatisfying(TestStack.Failed.class, failed -> {
                String output = failed.output();
                assertThat(count(output, message)).as("'" + message + "' printed once").isEqualTo(1);
                assertThat(count(output, "Fix with 'pulumi config set")).as("the fix line printed once").isEqualTo(1);
                String diagnostics = output.substring(Math.max(0, output.indexOf("Diagnostics:")));
                assertThat(count(diagnostics, "error: Invalid stack configuration")).as("the error under Diagnostics")
                        .isEqualTo(1);
                assertThat(output.lines().filter(l -> NOISE.matcher(l).find())).as("noise").isEmpty();
            });
        } finally {
            kept.ifPresentOrElse(v -> stack.set(key, v), () -> stack.remove(key));
        }
        assertThat(stack.resourceCount()).as("resources in the state").isEqualTo(resourcesBefore);
    }

    private static int count(String text, String needle) {
        int count = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + needle.length())) {
            count++;
        }
        return count;
    }
}
