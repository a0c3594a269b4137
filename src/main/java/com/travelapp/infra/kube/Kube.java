package com.travelapp.infra.kube;

import com.pulumi.core.Output;
import com.pulumi.kubernetes.apps.v1.inputs.DeploymentStrategyArgs;
import com.pulumi.kubernetes.apps.v1.inputs.RollingUpdateDeploymentArgs;
import com.pulumi.kubernetes.core.v1.inputs.EmptyDirVolumeSourceArgs;
import com.pulumi.kubernetes.core.v1.inputs.ExecActionArgs;
import com.pulumi.kubernetes.core.v1.inputs.KeyToPathArgs;
import com.pulumi.kubernetes.core.v1.inputs.LifecycleArgs;
import com.pulumi.kubernetes.core.v1.inputs.LifecycleHandlerArgs;
import com.pulumi.kubernetes.core.v1.inputs.ResourceRequirementsArgs;
import com.pulumi.kubernetes.core.v1.inputs.SecretVolumeSourceArgs;
import com.pulumi.kubernetes.core.v1.inputs.VolumeArgs;
import com.pulumi.kubernetes.core.v1.inputs.VolumeMountArgs;
import com.pulumi.kubernetes.meta.v1.inputs.LabelSelectorArgs;
import com.pulumi.kubernetes.meta.v1.inputs.ObjectMetaArgs;
import com.pulumi.kubernetes.policy.v1.PodDisruptionBudget;
import com.pulumi.kubernetes.policy.v1.PodDisruptionBudgetArgs;
import com.pulumi.kubernetes.policy.v1.inputs.PodDisruptionBudgetSpecArgs;
import com.pulumi.resources.CustomResourceOptions;
import com.travelapp.infra.settings.ComputeResources;
import java.util.Arrays;
import java.util.Map;

/** Small builders shared by the tiers, so each component reads as the architecture, not as YAML. */
public final class Kube {
    /** Owner (root) and group (the pod's fsGroup) may read a mounted secret file; nobody may write it. */
    public static final int SECRET_FILE_MODE = 0440;

    private Kube() {}

    public static ObjectMetaArgs metadata(String name, Output<String> namespace, Map<String, String> labels) {
        return ObjectMetaArgs.builder().name(name).namespace(namespace).labels(labels).build();
    }

    public static ObjectMetaArgs metadata(String name, Output<String> namespace, Map<String, String> labels,
                                          Map<String, String> annotations) {
        return ObjectMetaArgs.builder().name(name).namespace(namespace).labels(labels).annotations(annotations).build();
    }

    /**
     * CPU, memory and ephemeral storage. The storage request lets the scheduler count the node disk a
     * pod uses, and under disk pressure the kubelet evicts first the pods using more than they
     * requested; the limit bounds a pod's logs and emptyDirs together (Workload has the arithmetic).
     */
    public static ResourceRequirementsArgs resources(ComputeResources resources) {
        return ResourceRequirementsArgs.builder()
                .requests(Map.of("cpu", resources.cpuRequest(), "memory", resources.memoryRequest(),
                        "ephemeral-storage", resources.ephemeralStorageRequest()))
                .limits(Map.of("cpu", resources.cpuLimit(), "memory", resources.memoryLimit(),
                        "ephemeral-storage", resources.ephemeralStorageLimit()))
                .build();
    }

    /** A writable scratch directory for a container whose root filesystem is read-only. */
    public static VolumeArgs emptyDir(String name, String sizeLimit) {
        return VolumeArgs.builder()
                .name(name)
                .emptyDir(EmptyDirVolumeSourceArgs.builder().sizeLimit(sizeLimit).build())
                .build();
    }

    /**
     * Only {@code keys} of a Secret, as read-only files named after them: a secret in a file is not
     * inherited by every child process, printed by {@code env} or shown by {@code kubectl describe}, as an
     * environment variable is. Mode 0440: readable by the pod's fsGroup (kubelet makes it the files'
     * group), whatever UID the image runs as.
     */
    public static VolumeArgs secretFiles(String name, Output<String> secretName, String... keys) {
        return VolumeArgs.builder()
                .name(name)
                .secret(SecretVolumeSourceArgs.builder()
                        .secretName(secretName)
                        .defaultMode(SECRET_FILE_MODE)
                        .items(Arrays.stream(keys).map(key -> KeyToPathArgs.builder().key(key).path(key).build()).toList())
                        .build())
                .build();
    }

    public static VolumeMountArgs mount(String volume, String path) {
        return VolumeMountArgs.builder().name(volume).mountPath(path).build();
    }

    public static VolumeMountArgs readOnlyMount(String volume, String path) {
        return VolumeMountArgs.builder().name(volume).mountPath(path).readOnly(true).build();
    }

    /** Selects the pods of one tier by its stable selector labels. */
    public static LabelSelectorArgs selector(String name) {
        return LabelSelectorArgs.builder().matchLabels(Labels.selector(name)).build();
    }

    /** Zero downtime: a new pod must be Ready before an old one goes. */
    public static DeploymentStrategyArgs zeroDowntimeRollingUpdate() {
        return DeploymentStrategyArgs.builder()
                .type("RollingUpdate")
                .rollingUpdate(RollingUpdateDeploymentArgs.builder().maxUnavailable(0).maxSurge(1).build())
                .build();
    }

    /**
     * Five seconds between a pod's deletion and its container's stop signal: endpoints are removed
     * asynchronously, so the pod keeps serving the connections kube-proxy still sends it meanwhile.
     */
    public static LifecycleArgs drainBeforeStop() {
        return LifecycleArgs.builder()
                .preStop(LifecycleHandlerArgs.builder()
                        .exec(ExecActionArgs.builder().command("sleep", "5").build())
                        .build())
                .build();
    }

    /** For single-replica tools whose state is a per-pod emptyDir: never two at once. */
    public static DeploymentStrategyArgs recreate() {
        return DeploymentStrategyArgs.builder().type("Recreate").build();
    }

    /** A node drain may evict pods of the tier, but never its last available one. */
    public static PodDisruptionBudget keepOneAvailable(String name, Output<String> namespace, Map<String, String> labels,
                                                       CustomResourceOptions options) {
        return new PodDisruptionBudget(name, PodDisruptionBudgetArgs.builder()
                .metadata(metadata(name, namespace, labels))
                .spec(PodDisruptionBudgetSpecArgs.builder().minAvailable(1).selector(selector(name)).build())
                .build(), options);
    }
}
