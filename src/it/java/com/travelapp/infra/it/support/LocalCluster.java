package com.travelapp.infra.it.support;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A private local cluster with a real node (scripts/local-cluster.sh, the command a user runs), with
 * its own state directory and every port shifted, so the tests never meet or stop the cluster that
 * scripts/deploy.sh put up, and read with the fabric8 client.
 */
public final class LocalCluster implements AutoCloseable {
    /** Added to every port of the default cluster (API 6443 -> 8443, ...). */
    private static final int PORT_OFFSET = 2000;

    private final Path projectDir;
    private final Path stateDir;
    private final Path toolsBin;
    private final Map<String, String> env;
    private KubernetesClient client;

    LocalCluster(Path projectDir, Path stateDir, Path toolsDir) {
        this.projectDir = projectDir;
        this.stateDir = stateDir;
        this.toolsBin = toolsDir.resolve("bin");
        this.env = Map.of(
                "LOCAL_CLUSTER_DIR", stateDir.toString(),
                "LOCAL_CLUSTER_PORT_OFFSET", String.valueOf(PORT_OFFSET),
                "KUBECONFIG", stateDir.resolve("kubeconfig").toString(),
                "TOOLS_DIR", toolsDir.toString());
    }

    void start() {
        long started = System.nanoTime();
        System.out.println("[it] starting a private local cluster with a real node (scripts/local-cluster.sh up, state "
                + stateDir + ")");
        Command.runVisibly(projectDir, env, List.of("bash", "scripts/local-cluster.sh", "up"));
        System.out.printf("[it] cluster up in %d s%n", Duration.ofNanos(System.nanoTime() - started).toSeconds());
        try {
            Config config = Config.fromKubeconfig(Files.readString(kubeconfig()));
            // local-cluster.sh signs every client certificate with an EC key (SEC1 PEM); fabric8
            // reads the key as RSA unless told its algorithm.
            config.setClientKeyAlgo("EC");
            client = new KubernetesClientBuilder().withConfig(config).build();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public KubernetesClient client() {
        return client;
    }

    public Path kubeconfig() {
        return stateDir.resolve("kubeconfig");
    }

    /** What a process needs to reach this cluster: KUBECONFIG and the cluster's own settings. */
    public Map<String, String> env() {
        return env;
    }

    public Path containerdSocket() {
        return stateDir.resolve("node/containerd/containerd.sock");
    }

    public Path logs() {
        return stateDir.resolve("logs");
    }

    /** `ctr` on the node's containerd, namespace k8s.io (where the kubelet's containers live). */
    public Command.Result ctr(String... args) {
        List<String> command = new ArrayList<>(List.of("ctr", "-a", containerdSocket().toString(), "-n", "k8s.io"));
        command.addAll(List.of(args));
        return Command.run(projectDir, env, Duration.ofSeconds(60), command);
    }

    /** Cilium's own CLI against the node's agent. */
    public Command.Result ciliumDbg(String... args) {
        List<String> command = new ArrayList<>(List.of(toolsBin.resolve("cilium-dbg").toString()));
        command.addAll(List.of(args));
        return Command.run(projectDir, env, Duration.ofSeconds(60), command);
    }

    /** The host PID of a container's main process, from containerd's task list. */
    public long hostPid(String containerId) {
        String id = containerId.replaceFirst("^containerd://", "");
        for (String line : ctr("tasks", "ls").orFail().split("\n")) {
            String[] fields = line.trim().split("\\s+");
            if (fields.length >= 2 && fields[0].equals(id)) {
                return Long.parseLong(fields[1]);
            }
        }
        throw new AssertionError("containerd has no task for container " + id);
    }

    /**
     * Sends SIGNAL ("STOP", "CONT", ...) to a host process of the node, whose containers run as host
     * processes: what a process that hangs, then resumes, looks like to the kubelet.
     */
    public void signal(long hostPid, String signal) {
        Command.run(projectDir, env, Duration.ofSeconds(10), List.of("kill", "-" + signal, String.valueOf(hostPid))).orFail();
    }

    @Override
    public void close() {
        if (client != null) {
            client.close();
        }
        Command.Result down = Command.run(projectDir, env, Duration.ofMinutes(3),
                List.of("bash", "scripts/local-cluster.sh", "down"));
        System.out.println("[it] local cluster down (exit " + down.exitCode() + ")");
    }
}
