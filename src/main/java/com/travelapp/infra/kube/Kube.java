package com.travelapp.infra.kube;

import com.pulumi.core.Output;
import com.pulumi.kubernetes.core.v1.inputs.EmptyDirVolumeSourceArgs;
import com.pulumi.kubernetes.core.v1.inputs.ResourceRequirementsArgs;
import com.pulumi.kubernetes.core.v1.inputs.VolumeArgs;
import com.pulumi.kubernetes.core.v1.inputs.VolumeMountArgs;
import com.pulumi.kubernetes.meta.v1.inputs.ObjectMetaArgs;
import com.travelapp.infra.config.Settings.ComputeResources;
import java.util.Map;

/** Small builders shared by the tiers, so each component reads as the architecture, not as YAML. */
public final class Kube {
    private Kube() {}

    public static ObjectMetaArgs metadata(String name, Output<String> namespace, Map<String, String> labels) {
        return ObjectMetaArgs.builder().name(name).namespace(namespace).labels(labels).build();
    }

    public static ObjectMetaArgs metadata(String name, Output<String> namespace, Map<String, String> labels,
                                          Map<String, String> annotations) {
        return ObjectMetaArgs.builder().name(name).namespace(namespace).labels(labels).annotations(annotations).build();
    }

    public static ResourceRequirementsArgs resources(ComputeResources resources) {
        return ResourceRequirementsArgs.builder()
                .requests(Map.of("cpu", resources.cpuRequest(), "memory", resources.memoryRequest()))
                .limits(Map.of("cpu", resources.cpuLimit(), "memory", resources.memoryLimit()))
                .build();
    }

    /** A writable scratch directory for a container whose root filesystem is read-only. */
    public static VolumeArgs emptyDir(String name, String sizeLimit) {
        return VolumeArgs.builder()
                .name(name)
                .emptyDir(EmptyDirVolumeSourceArgs.builder().sizeLimit(sizeLimit).build())
                .build();
    }

    public static VolumeMountArgs mount(String volume, String path) {
        return VolumeMountArgs.builder().name(volume).mountPath(path).build();
    }

    public static VolumeMountArgs readOnlyMount(String volume, String path) {
        return VolumeMountArgs.builder().name(volume).mountPath(path).readOnly(true).build();
    }
}
