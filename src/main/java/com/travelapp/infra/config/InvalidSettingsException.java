package com.travelapp.infra.config;

import java.util.List;
import java.util.stream.Collectors;

/** Thrown before any resource is declared; its message lists every bad key at once. */
public final class InvalidSettingsException extends RuntimeException {
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
                + "\nFix with 'pulumi config set <key> <value>' (or 'pulumi config rm <key>' for the default).";
    }
}
