package com.travelapp.infra.kube;

import com.pulumi.kubernetes.core.v1.inputs.CapabilitiesArgs;
import com.pulumi.kubernetes.core.v1.inputs.PodSecurityContextArgs;
import com.pulumi.kubernetes.core.v1.inputs.SeccompProfileArgs;
import com.pulumi.kubernetes.core.v1.inputs.SecurityContextArgs;
import com.pulumi.kubernetes.core.v1.inputs.SysctlArgs;
import java.util.List;

/**
 * Security contexts that pass the Pod Security "restricted" profile, which the namespace enforces:
 * non-root, no privilege escalation, every capability dropped, the runtime's default seccomp profile.
 */
public final class PodSecurity {
    /** The Pod Security Standards version our namespace enforces, pinned so an upgrade is a decision. */
    public static final String POLICY_VERSION = "v1.30";

    private PodSecurity() {}

    public static PodSecurityContextArgs pod(int uid, int gid) {
        return podBuilder(uid, gid).build();
    }

    /**
     * For a non-root process that must listen on a port below 1024: the namespaced, "safe" sysctl
     * that restricted pods may set, instead of the NET_BIND_SERVICE capability, which a non-root
     * process does not get in effect.
     */
    public static PodSecurityContextArgs podListeningOn(int uid, int gid, int port) {
        var builder = podBuilder(uid, gid);
        if (port < 1024) {
            builder.sysctls(SysctlArgs.builder().name("net.ipv4.ip_unprivileged_port_start").value(String.valueOf(port)).build());
        }
        return builder.build();
    }

    private static PodSecurityContextArgs.Builder podBuilder(int uid, int gid) {
        return PodSecurityContextArgs.builder()
                .runAsNonRoot(true)
                .runAsUser(uid)
                .runAsGroup(gid)
                .fsGroup(gid)
                .seccompProfile(SeccompProfileArgs.builder().type("RuntimeDefault").build());
    }

    /** Every container of ours writes only to the volumes it mounts. */
    public static SecurityContextArgs container() {
        return SecurityContextArgs.builder()
                .runAsNonRoot(true)
                .allowPrivilegeEscalation(false)
                .readOnlyRootFilesystem(true)
                .capabilities(CapabilitiesArgs.builder().drop(List.of("ALL")).build())
                .seccompProfile(SeccompProfileArgs.builder().type("RuntimeDefault").build())
                .build();
    }
}
