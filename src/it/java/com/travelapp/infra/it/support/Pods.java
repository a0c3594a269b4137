package com.travelapp.infra.it.support;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.EphemeralContainerBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.ExecWatch;
import io.fabric8.kubernetes.client.dsl.PodResource;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** What the tests do inside pods: exec, and connection probes from a pod's own network namespace. */
public final class Pods {
    private Pods() {
    }

    public record Exec(int exitCode, String stdout, String stderr) {
        public String orFail() {
            if (exitCode != 0) {
                throw new AssertionError("exit " + exitCode + ": " + stdout + stderr);
            }
            return stdout.strip();
        }
    }

    /** Runs COMMAND in the pod's first container and waits (at most 2 minutes) for its exit. */
    public static Exec exec(KubernetesClient client, String namespace, String pod, String... command) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (ExecWatch watch = client.pods().inNamespace(namespace).withName(pod)
                .writingOutput(out).writingError(err).exec(command)) {
            int code = watch.exitCode().get(2, TimeUnit.MINUTES);
            return new Exec(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted exec in " + pod, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new AssertionError("exec " + List.of(command) + " in " + pod + ": " + e, e);
        }
    }

    /** Running pods with the label app.kubernetes.io/name=NAME that are not being deleted. */
    public static List<Pod> running(KubernetesClient client, String namespace, String name) {
        return client.pods().inNamespace(namespace).withLabel("app.kubernetes.io/name", name).list().getItems().stream()
                .filter(p -> "Running".equals(p.getStatus().getPhase()))
                .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
                .toList();
    }

    public static ContainerStatus firstContainer(Pod pod) {
        return pod.getStatus().getContainerStatuses().get(0);
    }

    /**
     * Opens a TCP connection to ADDRESS:PORT from inside POD's network namespace and says "open" or
     * the error: an ephemeral container of IMAGE (which has Python) added to POD, so the packets
     * carry POD's labels as the NetworkPolicies see them. ADDRESS is an IP, not a name, so that a
     * DNS hiccup cannot pass for a policy verdict.
     */
    public static String connectFrom(KubernetesClient client, String namespace, String pod, String image,
            String address, int port) {
        String name = "probe-" + System.nanoTime();
        String script = "import socket\ntry:\n    socket.create_connection(('" + address + "', " + port
                + "), timeout=5).close(); print('open')\nexcept Exception as e:\n    print(repr(e))";
        PodResource resource = client.pods().inNamespace(namespace).withName(pod);
        resource.ephemeralContainers().edit(p -> new PodBuilder(p).editSpec()
                .addToEphemeralContainers(new EphemeralContainerBuilder()
                        .withName(name).withImage(image).withImagePullPolicy("Never")
                        .withCommand("python", "-c", script)
                        .withNewSecurityContext()
                            .withRunAsNonRoot(true).withAllowPrivilegeEscalation(false)
                            .withNewCapabilities().withDrop("ALL").endCapabilities()
                            .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
                        .endSecurityContext()
                        .build())
                .endSpec().build());
        await("probe " + name + " in " + pod + " ends").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1))
                .until(() -> resource.get().getStatus().getEphemeralContainerStatuses().stream()
                        .filter(s -> s.getName().equals(name))
                        .anyMatch(s -> s.getState() != null && s.getState().getTerminated() != null));
        String log = Objects.requireNonNullElse(resource.inContainer(name).getLog(), "").strip();
        String[] lines = log.split("\n");
        return lines[lines.length - 1];
    }
}
