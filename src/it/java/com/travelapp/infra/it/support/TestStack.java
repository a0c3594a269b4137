package com.travelapp.infra.it.support;

import com.google.gson.JsonParser;
import com.pulumi.automation.AutomationException;
import com.pulumi.automation.ConfigValue;
import com.pulumi.automation.DestroyOptions;
import com.pulumi.automation.LocalWorkspace;
import com.pulumi.automation.LocalWorkspaceOptions;
import com.pulumi.automation.OperationType;
import com.pulumi.automation.OutputValue;
import com.pulumi.automation.PreviewOptions;
import com.pulumi.automation.UpOptions;
import com.pulumi.automation.WorkspaceStack;
import com.pulumi.automation.events.DiagnosticEvent;
import com.pulumi.automation.events.EngineEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The project's real program (Pulumi.yaml, target/travel-app.jar) as a throw-away stack, driven
 * through Pulumi's Automation API: a {@link LocalWorkspace} on the project directory, a file://
 * state of its own with a random passphrase, config copied from Pulumi.local.yaml and changed
 * through the API. Every command's output is kept (and echoed, indented) so that a test can read
 * what a user would have seen.
 */
public final class TestStack implements AutoCloseable {
    public record Run(String output, List<DiagnosticEvent> diagnostics, Map<OperationType, Integer> changes) {
        public int count(OperationType... types) {
            int total = 0;
            for (OperationType type : types) {
                total += changes.getOrDefault(type, 0);
            }
            return total;
        }

        /** Error and warning diagnostics that stay: not the provider's passing progress notes (ephemeral). */
        public List<String> warningsAndErrors() {
            return diagnostics.stream()
                    .filter(d -> !Boolean.TRUE.equals(d.ephemeral()))
                    .filter(d -> "warning".equals(d.severity()) || "error".equals(d.severity()))
                    .map(d -> d.severity() + ": " + d.message().strip())
                    .toList();
        }
    }

    /** A command that failed, with everything it printed. */
    public static final class Failed extends RuntimeException {
        private final String output;

        Failed(String what, String output, AutomationException cause) {
            super(what + " failed: " + cause.getMessage() + "\n" + Command.tail(output, 40), cause);
            this.output = output;
        }

        public String output() {
            return output;
        }
    }

    private final Path projectDir;
    private final String name;
    private final Path stateDir;
    private final WorkspaceStack stack;
    private boolean destroyed;

    TestStack(Path projectDir, Path stateDir, LocalCluster cluster, Map<String, String> baseConfig) {
        this.projectDir = projectDir;
        this.name = "it-" + HexFormat.of().formatHex(new SecureRandom().generateSeed(4));
        this.stateDir = stateDir;
        try {
            Files.createDirectories(stateDir);
            Map<String, String> env = new LinkedHashMap<>(cluster.env());
            env.put("PULUMI_BACKEND_URL", stateDir.toUri().toString());
            env.put("PULUMI_CONFIG_PASSPHRASE", HexFormat.of().formatHex(new SecureRandom().generateSeed(16)));
            LocalWorkspace workspace = LocalWorkspace.create(LocalWorkspaceOptions.builder()
                    .workDir(projectDir)
                    .environmentVariables(env)
                    .build());
            stack = WorkspaceStack.create(name, workspace);
            Map<String, ConfigValue> config = new LinkedHashMap<>();
            Map<String, ConfigValue> fields = new LinkedHashMap<>();
            baseConfig.forEach((key, value) -> (isPath(key) ? fields : config).put(key, new ConfigValue(value)));
            stack.setAllConfig(config);
            if (!fields.isEmpty()) {
                stack.setAllConfig(fields, true);
            }
        } catch (AutomationException e) {
            throw new IllegalStateException("cannot create the test stack " + name + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        System.out.println("[it] stack " + name + " (config from Pulumi.local.yaml, state " + stateDir + ")");
    }

    public String name() {
        return name;
    }

    /**
     * A key with a dot is the path of an object's field (backendAutoscaling.enabled), set like
     * `pulumi config set --path`: the CLI refuses a plain string for a key Pulumi.yaml declares an object.
     */
    private static boolean isPath(String key) {
        return key.contains(".");
    }

    public void set(String key, String value) {
        try {
            stack.setConfig("travel-app:" + key, new ConfigValue(value), isPath(key));
        } catch (AutomationException e) {
            throw new IllegalStateException("config set " + key + ": " + e.getMessage(), e);
        }
    }

    /** The stack's own value of KEY (or of the object field at the path KEY), if it has one. */
    public java.util.Optional<String> get(String key) {
        String top = isPath(key) ? key.substring(0, key.indexOf('.')) : key;
        java.util.Optional<String> value;
        try {
            value = java.util.Optional.ofNullable(stack.getAllConfig().get("travel-app:" + top)).map(ConfigValue::value);
        } catch (AutomationException e) {
            throw new IllegalStateException("config get " + key + ": " + e.getMessage(), e);
        }
        if (!isPath(key)) {
            return value;
        }
        return value.map(json -> JsonParser.parseString(json).getAsJsonObject())
                .map(object -> object.get(key.substring(key.indexOf('.') + 1)))
                .map(field -> field.isJsonPrimitive() ? field.getAsString() : field.toString());
    }

    public void remove(String key) {
        try {
            stack.removeConfig("travel-app:" + key, isPath(key));
        } catch (AutomationException e) {
            throw new IllegalStateException("config rm " + key + ": " + e.getMessage(), e);
        }
    }

    public Run preview() {
        return preview(false);
    }

    public Run preview(boolean expectNoChanges) {
        Capture capture = new Capture("preview");
        try {
            var result = stack.preview(capture.into(PreviewOptions.builder().expectNoChanges(expectNoChanges)).build());
            return capture.run(result.changeSummary());
        } catch (AutomationException e) {
            throw new Failed("pulumi preview", capture.text(), e);
        }
    }

    public Run up() {
        return up(false);
    }

    public Run up(boolean expectNoChanges) {
        Capture capture = new Capture("up");
        try {
            var result = stack.up(capture.into(UpOptions.builder().expectNoChanges(expectNoChanges)).build());
            return capture.run(result.summary().resourceChanges());
        } catch (AutomationException e) {
            throw new Failed("pulumi up", capture.text(), e);
        }
    }

    /** `pulumi up --refresh`: for a stack whose objects were deleted behind its back. */
    public Run refreshAndUp() {
        Capture capture = new Capture("refresh");
        try {
            stack.refresh(capture.into(com.pulumi.automation.RefreshOptions.builder()).build());
        } catch (AutomationException e) {
            throw new Failed("pulumi refresh", capture.text(), e);
        }
        return up();
    }

    public Run destroy() {
        Capture capture = new Capture("destroy");
        try {
            var result = stack.destroy(capture.into(DestroyOptions.builder()).build());
            destroyed = true;
            return capture.run(result.summary().resourceChanges());
        } catch (AutomationException e) {
            throw new Failed("pulumi destroy", capture.text(), e);
        }
    }

    public Map<String, OutputValue> outputs() {
        try {
            return stack.getOutputs();
        } catch (AutomationException e) {
            throw new IllegalStateException("stack outputs: " + e.getMessage(), e);
        }
    }

    public String output(String output) {
        OutputValue value = outputs().get(output);
        if (value == null) {
            throw new AssertionError("the stack has no output " + output + "; it has " + outputs().keySet());
        }
        return String.valueOf(value.value());
    }

    /**
     * The stack's state as it rests in the backend: the checkpoint file of the file:// state (the
     * Automation API's exportStack decrypts secrets, which is not what is stored).
     */
    public String storedState() {
        try (var files = Files.walk(stateDir)) {
            Path checkpoint = files.filter(f -> f.getFileName().toString().equals(name + ".json")).findFirst()
                    .orElseThrow(() -> new AssertionError("no checkpoint " + name + ".json under " + stateDir));
            return Files.readString(checkpoint);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int resourceCount() {
        try {
            Object resources = stack.exportStack().deployment().get("resources");
            return resources instanceof List<?> list ? list.size() : 0;
        } catch (AutomationException e) {
            throw new IllegalStateException("stack export: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            if (!destroyed) {
                System.out.println("[it] destroying what the tests left of stack " + name);
                destroy();
            }
        } catch (RuntimeException e) {
            System.out.println("[it] destroy at the end failed: " + e.getMessage());
        } finally {
            try {
                stack.workspace().removeStack(name);
            } catch (AutomationException e) {
                System.out.println("[it] stack rm " + name + ": " + e.getMessage());
            }
            // The stack's settings file that the workspace wrote beside Pulumi.yaml.
            projectDir.resolve("Pulumi." + name + ".yaml").toFile().delete();
        }
    }

    /** Output and diagnostics of one command, echoed with an indent as they arrive. */
    private static final class Capture {
        private final String label;
        private final StringBuilder text = new StringBuilder();
        private final List<DiagnosticEvent> diagnostics = new ArrayList<>();

        Capture(String label) {
            this.label = label;
        }

        <B extends com.pulumi.automation.UpdateOptions.Builder<B>> B into(B builder) {
            Consumer<String> line = l -> {
                synchronized (text) {
                    text.append(l).append('\n');
                }
                System.out.println("    pulumi " + label + "| " + l);
            };
            return builder.onStandardOutput(line).onStandardError(line).onEvent(this::event);
        }

        private void event(EngineEvent event) {
            if (event.diagnosticEvent() != null) {
                synchronized (diagnostics) {
                    diagnostics.add(event.diagnosticEvent());
                }
            }
        }

        String text() {
            synchronized (text) {
                return text.toString();
            }
        }

        Run run(Map<OperationType, Integer> changes) {
            return new Run(text(), List.copyOf(diagnostics), changes == null ? Map.of() : Map.copyOf(changes));
        }
    }
}
