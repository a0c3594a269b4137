package com.travelapp.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import com.pulumi.Config;
import com.pulumi.core.Output;
import com.pulumi.core.internal.Internal;
import com.pulumi.resources.ResourceOptions;
import com.pulumi.resources.ResourceTransformation;
import com.pulumi.test.Mocks;
import com.pulumi.test.PulumiTest;
import com.pulumi.test.TestOptions;
import com.pulumi.test.TestResult;
import com.travelapp.infra.settings.Settings;
import com.travelapp.infra.settings.SettingsReader;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.mockito.Mockito;

/**
 * One run of the stack on Pulumi's mock engine: what was registered (type, name, inputs, URN)
 * and the stack outputs. The mocks echo inputs back as state, add a {@code result} to random
 * resources, and can give LoadBalancer Services an address.
 */
public final class StackRun {
    /** The value every mocked RandomPassword "generates": tests look for it where it must not be. */
    static String generated(String name) {
        return "generated-" + name + "-s3cr3t";
    }

    public record Registered(String type, String name, Map<String, Object> inputs, String urn) {
        /** Follows a path of map keys and list indexes through the inputs; null when absent. */
        public Object at(Object... path) {
            Object node = inputs;
            for (var step : path) {
                if (node instanceof Map<?, ?> map && step instanceof String key) {
                    node = map.get(key);
                } else if (node instanceof List<?> list && step instanceof Integer index && index < list.size()) {
                    node = list.get(index);
                } else {
                    return null;
                }
            }
            return node;
        }

        public String string(Object... path) {
            var value = at(path);
            return value == null ? null : value.toString();
        }

        int integer(Object... path) {
            var value = at(path);
            if (!(value instanceof Number number)) {
                fail(type + " " + name + ": no number at " + List.of(path) + " (found " + value + ")");
                return 0;
            }
            return number.intValue();
        }

        @SuppressWarnings("unchecked")
        public Map<String, Object> map(Object... path) {
            var value = at(path);
            return value instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
        }

        @SuppressWarnings("unchecked")
        List<Map<String, Object>> list(Object... path) {
            var value = at(path);
            return value instanceof List<?> l ? (List<Map<String, Object>>) l : List.of();
        }

        /** The type token of the component this resource was declared in, from its URN. */
        String parentType() {
            var qualified = urn.split("::")[2];
            var chain = qualified.split("\\$");
            return chain.length < 2 ? "" : chain[chain.length - 2];
        }
    }

    final TestResult result;
    /** What the program declares; the objects it only reads from the cluster are in {@link #reads}. */
    final List<Registered> resources;
    /** The objects read from the cluster ({@code Resource.get}), as "type namespace/name". */
    final List<String> reads;
    /** The API server's endpoint in the mocked cluster. */
    static final String API_SERVER_ADDRESS = "192.0.2.10";
    static final int API_SERVER_PORT = 6443;
    /** The options each resource was declared with, by "type name": what the mocks are not shown. */
    private final Map<String, ResourceOptions> options;

    private StackRun(TestResult result, List<Registered> resources, List<String> reads,
                     Map<String, ResourceOptions> options) {
        this.result = result;
        this.resources = resources;
        this.reads = reads;
        this.options = options;
    }

    public static StackRun of(Settings settings) {
        return of(settings, Optional.empty());
    }

    static StackRun of(Settings settings, Optional<Map<String, Object>> loadBalancerIngress) {
        return run(ctx -> App.stack(ctx, settings), loadBalancerIngress);
    }

    static StackRun run(java.util.function.Consumer<com.pulumi.Context> program, Optional<Map<String, Object>> loadBalancerIngress) {
        var recorded = Collections.synchronizedList(new ArrayList<Mocks.ResourceArgs>());
        Mocks mocks = args -> {
            recorded.add(args);
            var state = new HashMap<>(args.inputs);
            if (args.type.startsWith("random:")) {
                state.put("result", generated(args.name));
            }
            if (args.type.equals("kubernetes:core/v1:Service") && loadBalancerIngress.isPresent()) {
                state.put("status", Map.of("loadBalancer", Map.of("ingress", List.of(loadBalancerIngress.get()))));
            }
            if (args.type.equals("kubernetes:discovery.k8s.io/v1:EndpointSlice") && args.id != null && !args.id.isEmpty()) {
                // What the API server keeps in its own slice, default/kubernetes (read by Prometheus).
                state.put("endpoints", List.of(Map.of("addresses", List.of(API_SERVER_ADDRESS))));
                state.put("ports", List.of(Map.of("name", "https", "port", API_SERVER_PORT, "protocol", "TCP")));
            }
            if (args.type.startsWith("kubernetes:")) {
                var metadata = new HashMap<String, Object>(castMap(state.getOrDefault("metadata", Map.of())));
                metadata.put("resourceVersion", "1");
                state.put("metadata", metadata);
            }
            return CompletableFuture.completedFuture(Mocks.ResourceResult.of(Optional.of(args.name + "-id"), state));
        };
        var options = new ConcurrentHashMap<String, ResourceOptions>();
        ResourceTransformation recordOptions = args -> {
            options.put(args.resource().pulumiResourceType() + " " + args.resource().pulumiResourceName(), args.options());
            return Optional.empty();
        };
        var result = PulumiTest.withOptions(TestOptions.builder().resourceTransformations(List.of(recordOptions)).build())
                .withMocks(mocks).runTest(program);
        var urns = new HashMap<String, String>();
        for (var resource : result.resources()) {
            urns.put(resource.pulumiResourceType() + " " + resource.pulumiResourceName(), value(resource.urn()));
        }
        var registered = new ArrayList<Registered>();
        var reads = new ArrayList<String>();
        synchronized (recorded) {
            for (var args : recorded) {
                if (args.id != null && !args.id.isEmpty()) {
                    reads.add(args.type + " " + args.id);
                    continue;
                }
                registered.add(new Registered(args.type, args.name, args.inputs, urns.getOrDefault(args.type + " " + args.name, "")));
            }
        }
        return new StackRun(result, registered, reads, options);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> castMap(Object value) {
        return (Map<String, Object>) value;
    }

    private static StackRun defaultRun;

    /** The stack on default settings, run once per test JVM: every reader only looks. */
    public static synchronized StackRun ofDefaults() {
        if (defaultRun == null) {
            defaultRun = of(defaults());
        }
        return defaultRun;
    }

    /** Settings exactly as an empty stack config gives them: the documented defaults. */
    static Settings defaults() {
        return settings(Map.of());
    }

    /** Settings from a stack config holding only {@code values}, read by the real reader. */
    public static Settings settings(Map<String, String> values) {
        return SettingsReader.read(config(values), keys(values));
    }

    /** The keys of a stack config holding {@code values}, named as PULUMI_CONFIG names them. */
    static Set<String> keys(Map<String, String> values) {
        return values.keySet().stream().map(key -> "travel-app:" + key).collect(Collectors.toSet());
    }

    static Config config(Map<String, String> values) {
        var config = Mockito.mock(Config.class);
        Mockito.when(config.getName()).thenReturn("travel-app");
        Mockito.when(config.get(Mockito.anyString()))
                .thenAnswer(call -> Optional.ofNullable(values.get(call.<String>getArgument(0))));
        return config;
    }

    public Registered one(String type, String name) {
        var matches = resources.stream().filter(r -> r.type().equals(type) && r.name().equals(name)).toList();
        assertEquals(1, matches.size(), "expected exactly one " + type + " named " + name + ", found " + matches.size());
        return matches.get(0);
    }

    List<Registered> ofType(String type) {
        return resources.stream().filter(r -> r.type().equals(type)).toList();
    }

    /**
     * Every Deployment, StatefulSet, Job and CronJob. A CronJob is given as its job template
     * ({@code spec} is the Job's spec), so its pod template is at {@code spec.template} like every
     * other workload's and each check of pod templates covers it too.
     */
    List<Registered> workloads() {
        var workloads = new ArrayList<Registered>();
        for (var r : resources) {
            if (List.of("kubernetes:apps/v1:Deployment", "kubernetes:apps/v1:StatefulSet", "kubernetes:batch/v1:Job").contains(r.type())) {
                workloads.add(r);
            } else if (r.type().equals("kubernetes:batch/v1:CronJob")) {
                workloads.add(new Registered(r.type(), r.name(),
                        Map.of("metadata", r.map("metadata"), "spec", r.map("spec", "jobTemplate", "spec")), r.urn()));
            }
        }
        return workloads;
    }

    /** The options the program declared the resource with (parent, ignoreChanges, aliases, ...). */
    ResourceOptions options(String type, String name) {
        var declared = options.get(type + " " + name);
        assertNotNull(declared, "no resource " + type + " " + name);
        return declared;
    }

    /** Whether {@code pulumi destroy} leaves the resource in the cluster (the retainOnDelete option). */
    boolean retainedOnDelete(String type, String name) {
        return options(type, name).getRetainOnDelete().orElse(false);
    }

    Object output(String name) {
        return value(result.output(name));
    }

    boolean outputIsSecret(String name) {
        return Internal.of(result.output(name)).isSecret().join();
    }

    static <T> T value(Output<T> output) {
        return PulumiTest.extractValue(output);
    }

    static <T, R> R value(Output<T> output, Function<T, R> f) {
        return f.apply(value(output));
    }
}
