package com.travelapp.infra.settings;

import com.pulumi.exceptions.RunException;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Thrown before any resource is declared; its message lists every bad key at once. A
 * {@link RunException}, because the SDK then reports just the message to the engine (one error,
 * no "unhandled exception" stack trace) and exits with 32, its "already told the user" code.
 */
public final class InvalidSettingsException extends RunException {
    private final List<String> problems;

    public InvalidSettingsException(String project, List<String> problems) {
        super(format(project, problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }

    private static String format(String project, List<String> problems) {
        return "Invalid stack configuration: " + problems.size()
                + (problems.size() == 1 ? " problem" : " problems") + ", nothing was deployed.\n"
                + problems.stream().map(p -> "  - " + project + ":" + p).collect(Collectors.joining("\n"))
                + "\nFix with 'pulumi config set <key> <value>' (or 'pulumi config rm <key>' for the default"
                + " or to remove an unknown key).";
    }
}
