package com.travelapp.infra.it.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One process run to its end: the user-facing scripts (scripts/local-cluster.sh, db-backup.sh, ...)
 * and the node's own tools (ctr, cilium-dbg), which have no Java API.
 */
public final class Command {
    private Command() {
    }

    public record Result(List<String> command, int exitCode, String output) {
        public boolean succeeded() {
            return exitCode == 0;
        }

        /** The output, or an AssertionError that names the command, its exit code and last lines. */
        public String orFail() {
            if (!succeeded()) {
                throw new AssertionError(String.join(" ", command) + " exited " + exitCode + ":\n" + tail(output, 30));
            }
            return output;
        }
    }

    /** Runs COMMAND in DIR with ENV added, stdout and stderr merged, killed after TIMEOUT. */
    public static Result run(Path dir, Map<String, String> env, Duration timeout, List<String> command) {
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        builder.environment().putAll(env);
        try {
            Process process = builder.start();
            process.getOutputStream().close();
            var output = new java.io.ByteArrayOutputStream();
            Thread reader = new Thread(() -> {
                try {
                    process.getInputStream().transferTo(output);
                } catch (IOException ignored) {
                    // the process was killed: what it printed so far is kept
                }
            });
            reader.start();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor();
                reader.join(5_000);
                return new Result(command, 124, output.toString(StandardCharsets.UTF_8) + "\n(killed after " + timeout + ")");
            }
            reader.join(5_000);
            return new Result(command, process.exitValue(), output.toString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command, e);
        }
    }

    /**
     * Runs a long user command with its output copied line by line to ours as it comes (progress
     * stays visible; through System.out, which failsafe's channel to Maven expects).
     */
    public static void runVisibly(Path dir, Map<String, String> env, List<String> command) {
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        builder.environment().putAll(env);
        try {
            Process process = builder.start();
            process.getOutputStream().close();
            try (var lines = new java.io.BufferedReader(new java.io.InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                lines.lines().forEach(line -> System.out.println("    " + line));
            }
            int code = process.waitFor();
            if (code != 0) {
                throw new IllegalStateException(String.join(" ", command) + " exited " + code + " (its output is above)");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command, e);
        }
    }

    public static String tail(String text, int lines) {
        String[] all = text.strip().split("\n");
        return String.join("\n", List.of(all).subList(Math.max(0, all.length - lines), all.length));
    }
}
