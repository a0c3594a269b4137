package com.travelapp.infra.it.support;

import com.google.gson.JsonParser;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A Deployment's replica count where an autoscaler may own it: where it is, who owns
 * {@code spec.replicas} (its managed fields), its autoscaler's view, and its curve over time.
 */
public final class Replicas {
    private Replicas() {
    }

    public static Deployment deployment(KubernetesClient kube, String namespace, String name) {
        return kube.apps().deployments().inNamespace(namespace).withName(name).get();
    }

    /** The autoscaler of the Deployment NAME (the stack names it after the Deployment), or null. */
    public static HorizontalPodAutoscaler autoscaler(KubernetesClient kube, String namespace, String name) {
        return kube.autoscaling().v2().horizontalPodAutoscalers().inNamespace(namespace).withName(name).get();
    }

    public static int desired(KubernetesClient kube, String namespace, String name) {
        return Objects.requireNonNullElse(deployment(kube, namespace, name).getSpec().getReplicas(), 0);
    }

    public static int ready(KubernetesClient kube, String namespace, String name) {
        return Objects.requireNonNullElse(deployment(kube, namespace, name).getStatus().getReadyReplicas(), 0);
    }

    /**
     * Waits until the Deployment NAME wants COUNT pods and runs exactly COUNT, all Ready and none
     * being deleted: where a test that counts pods must start, after a class whose load made the
     * autoscaler add pods (it takes them away after its window, ItEnvironment.SCALE_DOWN_WINDOW_SECONDS,
     * then half of them a minute), or after the first `pulumi up`, which ends once one pod of an
     * autoscaled Deployment is Ready (the autoscaler raises it to its minimum within its 15 s sync).
     */
    public static void awaitAtRest(KubernetesClient kube, String namespace, String name, int count, Duration limit) {
        await(name + " at rest: " + count + " pods wanted, running and Ready, none terminating").atMost(limit)
                .pollInterval(Duration.ofSeconds(2)).ignoreExceptions()
                .until(() -> desired(kube, namespace, name) == count && ready(kube, namespace, name) == count
                        && Pods.running(kube, namespace, name).size() == count
                        && kube.pods().inNamespace(namespace).withLabel("app.kubernetes.io/name", name).list().getItems().size() == count);
    }

    /**
     * The field managers that own the Deployment's spec.replicas, as "manager (Operation[, subresource])".
     * Read from the raw JSON: fabric8's FieldsV1 model keeps none of the field set.
     */
    public static List<String> owners(KubernetesClient kube, String namespace, String name) {
        return owners(kube, namespace, name, "f:replicas");
    }

    /** The field managers that own the Deployment's spec.FIELD ("f:template", "f:replicas", ...). */
    public static List<String> owners(KubernetesClient kube, String namespace, String name, String field) {
        var json = JsonParser.parseString(kube.raw("/apis/apps/v1/namespaces/" + namespace + "/deployments/" + name))
                .getAsJsonObject();
        var owners = new ArrayList<String>();
        for (var element : json.getAsJsonObject("metadata").getAsJsonArray("managedFields")) {
            var entry = element.getAsJsonObject();
            var fields = entry.getAsJsonObject("fieldsV1");
            if (fields != null && fields.has("f:spec") && fields.getAsJsonObject("f:spec").has(field)) {
                owners.add(entry.get("manager").getAsString() + " (" + entry.get("operation").getAsString()
                        + (entry.has("subresource") ? ", " + entry.get("subresource").getAsString() : "") + ")");
            }
        }
        return owners;
    }

    /** The average CPU use the autoscaler last read, in percent of the pods' request; empty while it has none (no metrics). */
    public static Optional<Integer> cpuUtilization(HorizontalPodAutoscaler autoscaler) {
        if (autoscaler == null || autoscaler.getStatus() == null || autoscaler.getStatus().getCurrentMetrics() == null) {
            return Optional.empty();
        }
        return autoscaler.getStatus().getCurrentMetrics().stream()
                .map(MetricStatus::getResource).filter(Objects::nonNull)
                .filter(r -> "cpu".equals(r.getName()) && r.getCurrent() != null)
                .map(r -> r.getCurrent().getAverageUtilization()).filter(Objects::nonNull)
                .findFirst();
    }

    /** A Deployment's replica count sampled every few seconds in the background, to print as its curve. */
    public static final class Curve implements AutoCloseable {
        public record Sample(long second, int desired, int ready, Optional<Integer> cpuPercent) {
            @Override
            public String toString() {
                return String.format("t+%4d s  wanted %2d  ready %2d  cpu %s", second, desired, ready,
                        cpuPercent.map(p -> p + "%").orElse("?"));
            }
        }

        private final List<Sample> samples = new ArrayList<>();
        private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
        private final long start = System.nanoTime();

        public Curve(KubernetesClient kube, String namespace, String name, Duration every) {
            sampler.scheduleAtFixedRate(() -> {
                try {
                    Deployment deployment = deployment(kube, namespace, name);
                    Sample sample = new Sample(secondsSinceStart(),
                            Objects.requireNonNullElse(deployment.getSpec().getReplicas(), 0),
                            Objects.requireNonNullElse(deployment.getStatus().getReadyReplicas(), 0),
                            cpuUtilization(autoscaler(kube, namespace, name)));
                    synchronized (samples) {
                        samples.add(sample);
                    }
                } catch (RuntimeException e) {
                    // a missed sample (the API server busy under the load) leaves a gap, not a failure
                }
            }, 0, every.toMillis(), TimeUnit.MILLISECONDS);
        }

        public long secondsSinceStart() {
            return TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
        }

        public List<Sample> samples() {
            synchronized (samples) {
                return List.copyOf(samples);
            }
        }

        /** The first sample at or after second FROM that satisfies TEST. */
        public Optional<Sample> first(long from, java.util.function.Predicate<Sample> test) {
            return samples().stream().filter(s -> s.second() >= from).filter(test).findFirst();
        }

        public String table() {
            StringBuilder text = new StringBuilder();
            samples().forEach(s -> text.append("    ").append(s).append('\n'));
            return text.toString();
        }

        @Override
        public void close() {
            sampler.shutdownNow();
        }
    }
}
