package com.travelapp.infra.it.stack;

import static org.assertj.core.api.Assertions.assertThat;

import com.pulumi.automation.OperationType;
import com.travelapp.infra.it.support.Integration;
import com.travelapp.infra.it.support.ItEnvironment;
import com.travelapp.infra.it.support.TestStack;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The life cycle Pulumi proves every program with (its ProgramTest): preview, up, and a second
 * preview and up that change nothing. The edits (scaling, a new image, bad config) and destroy
 * follow in the classes after this one.
 */
@Order(2)
@ExtendWith(Integration.class)
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class StackLifecycleIT {
    /** Every resource of the architecture but Grafana, which Pulumi.local.yaml turns off. */
    private static final int AT_LEAST_CREATES = 30;

    @Test
    @Order(1)
    void previewOfANewStackPlansOnlyCreatesAndReportsNoWarning(ItEnvironment env) {
        TestStack.Run preview = env.stack().preview();

        assertThat(preview.count(OperationType.CREATE)).isGreaterThanOrEqualTo(AT_LEAST_CREATES);
        assertThat(preview.count(OperationType.UPDATE, OperationType.REPLACE, OperationType.CREATE_REPLACEMENT,
                OperationType.DELETE_REPLACED, OperationType.DELETE)).isZero();
        assertThat(preview.warningsAndErrors()).as("error and warning diagnostics (plugins included)").isEmpty();
    }

    @Test
    @Order(2)
    void upDeploysTheStackOntoTheRealNode(ItEnvironment env) {
        long started = System.nanoTime();
        TestStack.Run up = env.deploy();

        System.out.printf("[it] pulumi up: %d resources created in %d s%n", up.count(OperationType.CREATE),
                TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started));
        assertThat(up.count(OperationType.CREATE)).isGreaterThanOrEqualTo(AT_LEAST_CREATES);
        assertThat(up.warningsAndErrors()).isEmpty();
    }

    @Test
    @Order(3)
    void aSecondPreviewPlansNoChange(ItEnvironment env) {
        TestStack.Run preview = env.deployedStack().preview(true);

        assertThat(preview.count(OperationType.CREATE, OperationType.UPDATE, OperationType.REPLACE,
                OperationType.DELETE)).isZero();
    }

    @Test
    @Order(4)
    void aSecondUpChangesNothing(ItEnvironment env) {
        TestStack.Run up = env.deployedStack().up(true);

        assertThat(up.count(OperationType.CREATE, OperationType.UPDATE, OperationType.REPLACE,
                OperationType.DELETE)).isZero();
    }
}
