package com.travelapp.infra.it.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.yaml.snakeyaml.Yaml;

/**
 * What the integration tests share: the project directory, the toolchain, a private cluster and a
 * throw-away stack on a throw-away state directory. Each part starts the first time a test asks
 * for it, so a single test class can be run on its own (`-Dit.test=ScalingIT`).
 *
 * <p>Set TRAVEL_APP_IT_KEEP=1 to keep the cluster, stack and work directory after the run (to look
 * at them; stop the cluster with the LOCAL_CLUSTER_DIR printed at the start).
 */
public final class ItEnvironment implements ExtensionContext.Store.CloseableResource {
    /**
     * The autoscalers' scale-down window on the test stack (both tiers), instead of
     * Pulumi.local.yaml's default 5 minutes: the tests that load the app (ScalingIT, AutoscalingIT,
     * RollingUpdateIT) then leave no scaled-out tier behind for the next class for long.
     */
    public static final int SCALE_DOWN_WINDOW_SECONDS = 30;

    private final Path projectDir;
    private final Path toolsDir;
    private final Path workDir;
    /** Pulumi.local.yaml's config: what scripts/deploy.sh deploys onto the local cluster; an object's fields by path. */
    private final Map<String, String> localConfig;
    private LocalCluster cluster;
    private TestStack stack;
    private TestStack.Run firstUp;
    private RuntimeException deployFailure;
    private RuntimeException clusterFailure;
    private boolean closed;

    ItEnvironment() {
        projectDir = Path.of(System.getProperty("project.dir", System.getProperty("user.dir"))).toAbsolutePath();
        // The same place scripts/lib/common.sh names (scripts/test.sh exports it).
        String tools = System.getenv("TOOLS_DIR");
        toolsDir = tools != null && !tools.isBlank() ? Path.of(tools)
                : Path.of(System.getProperty("user.home"), ".cache", "travel-app", "tools");
        localConfig = readConfig(projectDir.resolve("Pulumi.local.yaml"));
        requireTool("pulumi");
        requireTool("kubectl");
        try {
            workDir = Files.createTempDirectory("travel-app-it.");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        System.out.println("[it] work directory " + workDir);
        // A run stopped from outside (Ctrl-C, CI's time limit) still stops its cluster.
        Runtime.getRuntime().addShutdownHook(new Thread(this::close));
    }

    private void requireTool(String name) {
        if (!Files.isExecutable(toolsDir.resolve("bin").resolve(name))) {
            throw new IllegalStateException(toolsDir.resolve("bin").resolve(name) + " is not built: run offline/tools.sh"
                    + " and offline/images.sh build, then scripts/test.sh integration (which puts them on PATH)");
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> readConfig(Path stackFile) {
        try (InputStream in = Files.newInputStream(stackFile)) {
            Map<String, Object> document = new Yaml().load(in);
            Map<String, String> config = new LinkedHashMap<>();
            ((Map<String, Object>) document.get("config")).forEach((key, value) -> flatten(key, value, config));
            return config;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An object value (backendAutoscaling: {enabled: ...}) as one entry per field, keyed by path (backendAutoscaling.enabled). */
    private static void flatten(String key, Object value, Map<String, String> into) {
        if (value instanceof Map<?, ?> fields) {
            fields.forEach((field, fieldValue) -> flatten(key + "." + field, fieldValue, into));
        } else {
            into.put(key, String.valueOf(value));
        }
    }

    /** A travel-app: value of the local stack's config, e.g. "backendImage" or, by path, "backendAutoscaling.maxReplicas". */
    public String localConfig(String key) {
        return localConfig.get("travel-app:" + key);
    }

    public Path projectDir() {
        return projectDir;
    }

    public Path toolsDir() {
        return toolsDir;
    }

    public Path workDir() {
        return workDir;
    }

    public synchronized LocalCluster cluster() {
        if (clusterFailure != null) {
            throw new IllegalStateException("the local cluster did not start (see the first failing test)", clusterFailure);
        }
        if (cluster == null) {
            cluster = new LocalCluster(projectDir, workDir.resolve("cluster"), toolsDir);
            try {
                cluster.start();
            } catch (RuntimeException e) {
                clusterFailure = e;
                throw e;
            }
        }
        return cluster;
    }

    /** The test stack, created (not deployed) from Pulumi.local.yaml's config and the short scale-down window. */
    public synchronized TestStack stack() {
        if (stack == null) {
            Map<String, String> config = new LinkedHashMap<>(localConfig);
            for (String tier : java.util.List.of("frontend", "backend")) {
                config.put("travel-app:" + tier + "Autoscaling.scaleDownStabilizationSeconds", String.valueOf(SCALE_DOWN_WINDOW_SECONDS));
            }
            stack = new TestStack(projectDir, workDir.resolve("state"), cluster(), config);
        }
        return stack;
    }

    /**
     * The first `pulumi up` of the test stack: run by the first test that needs the stack deployed
     * (StackLifecycleIT when the whole suite runs), then only returned.
     */
    public synchronized TestStack.Run deploy() {
        if (deployFailure != null) {
            throw new IllegalStateException("the stack's first pulumi up failed (see the first failing test)", deployFailure);
        }
        if (firstUp == null) {
            try {
                firstUp = stack().up();
            } catch (RuntimeException e) {
                deployFailure = e;
                throw e;
            }
        }
        return firstUp;
    }

    /** The test stack, deployed. */
    public TestStack deployedStack() {
        deploy();
        return stack;
    }

    public KubernetesClient kube() {
        return cluster().client();
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if ("1".equals(System.getenv("TRAVEL_APP_IT_KEEP"))) {
            System.out.println("[it] TRAVEL_APP_IT_KEEP=1: kept " + workDir);
            return;
        }
        try {
            if (stack != null) {
                stack.close();
            }
        } finally {
            if (cluster != null) {
                cluster.close();
            }
            deleteRecursively(workDir);
        }
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            System.out.println("[it] could not remove " + dir + ": " + e.getMessage());
        }
    }
}
