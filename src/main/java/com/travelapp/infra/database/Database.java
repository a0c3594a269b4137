package com.travelapp.infra.database;

import com.pulumi.core.Alias;
import com.pulumi.core.Output;
import com.pulumi.kubernetes.apps.v1.StatefulSet;
import com.pulumi.kubernetes.apps.v1.StatefulSetArgs;
import com.pulumi.kubernetes.apps.v1.inputs.StatefulSetPersistentVolumeClaimRetentionPolicyArgs;
import com.pulumi.kubernetes.apps.v1.inputs.StatefulSetSpecArgs;
import com.pulumi.kubernetes.core.v1.Service;
import com.pulumi.kubernetes.core.v1.ServiceArgs;
import com.pulumi.kubernetes.core.v1.inputs.ContainerArgs;
import com.pulumi.kubernetes.core.v1.inputs.ContainerPortArgs;
import com.pulumi.kubernetes.core.v1.inputs.EnvVarArgs;
import com.pulumi.kubernetes.core.v1.inputs.ExecActionArgs;
import com.pulumi.kubernetes.core.v1.inputs.PersistentVolumeClaimArgs;
import com.pulumi.kubernetes.core.v1.inputs.PersistentVolumeClaimSpecArgs;
import com.pulumi.kubernetes.core.v1.inputs.PodSpecArgs;
import com.pulumi.kubernetes.core.v1.inputs.PodTemplateSpecArgs;
import com.pulumi.kubernetes.core.v1.inputs.ProbeArgs;
import com.pulumi.kubernetes.core.v1.inputs.ResourceRequirementsArgs;
import com.pulumi.kubernetes.core.v1.inputs.ServicePortArgs;
import com.pulumi.kubernetes.core.v1.inputs.ServiceSpecArgs;
import com.pulumi.kubernetes.meta.v1.inputs.ObjectMetaArgs;
import com.pulumi.resources.ComponentResource;
import com.pulumi.resources.ComponentResourceOptions;
import com.pulumi.resources.CustomResourceOptions;
import com.travelapp.infra.configuration.AppSecrets;
import com.travelapp.infra.kube.Kube;
import com.travelapp.infra.kube.Labels;
import com.travelapp.infra.kube.NetworkPolicies;
import com.travelapp.infra.kube.PodSecurity;
import com.travelapp.infra.settings.DatabaseSettings;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The database tier: PostgreSQL as a one-replica StatefulSet ({@code postgres-0}) on its own
 * PersistentVolumeClaim, behind a headless Service, and every rule that lets a pod reach it.
 */
public final class Database extends ComponentResource {
    public static final String NAME = "postgres";
    public static final int PORT = 5432;
    public static final String DATA_VOLUME = "data";
    public static final String DATA_PATH = "/var/lib/postgresql/data";
    /** initdb refuses a volume root that holds lost+found, so the cluster lives one level down. */
    public static final String PGDATA = DATA_PATH + "/pgdata";
    /** The postgres user of the official Alpine image. */
    public static final int UID = 70;
    /** How long pg_isready waits for the server's answer (its -t). */
    private static final int PG_ISREADY_SECONDS = 3;
    /** The kubelet's limit for one probe: pg_isready's wait plus the exec's own start on a busy node. */
    private static final int PROBE_TIMEOUT_SECONDS = 5;
    /** The backend's pods (Backend.DATABASE_CLIENTS), which every stack admits; the Inputs say whom this one admits. */
    public static final List<String> CLIENTS = List.of("backend", "backend-migrations");
    /**
     * Kubernetes' default, stated so that no one changes it unknowingly: the data volume outlives
     * the StatefulSet (pulumi destroy, a deleted StatefulSet) and a scale-down (docs/operations.md).
     */
    private static final StatefulSetPersistentVolumeClaimRetentionPolicyArgs KEEP_DATA_VOLUME =
            StatefulSetPersistentVolumeClaimRetentionPolicyArgs.builder().whenDeleted("Retain").whenScaled("Retain").build();

    private final Output<String> serviceName;
    private final StatefulSet statefulSet;
    private final Connection connection;

    /**
     * Pods that may open postgres:5432, by their name label; each group gets a NetworkPolicy of its
     * own, named after it.
     *
     * @param formerOwner the component, a sibling of this one, that declared this group's policy
     *     before the Database did: its old URN is kept as an alias, so that an existing stack keeps
     *     the policy rather than replacing it (which server-side apply can turn into a deletion)
     */
    public record Clients(List<String> pods, Optional<Component> formerOwner) {
        public static Clients of(List<String> pods) {
            return new Clients(pods, Optional.empty());
        }
    }

    /** A component by its type token and Pulumi name. */
    public record Component(String type, String name) {}

    /** What the database needs from the tiers declared before it, and the peers it must admit. */
    public record Inputs(Output<String> namespace, Output<String> secretName, List<Clients> clients) {}

    /** What a client needs to connect: the headless Service's name (DB_HOST), port, database and role. */
    public record Connection(Output<String> host, int port, String name, String user) {}

    public Database(String name, DatabaseSettings settings, Inputs in, ComponentResourceOptions options) {
        super("travel:app:Database", name, options);
        var child = CustomResourceOptions.builder().parent(this).build();
        var namespace = in.namespace();
        var labels = Labels.of(NAME, "database");

        var service = new Service(NAME, ServiceArgs.builder()
                // A headless Service is never "ready" before its StatefulSet exists, which the
                // StatefulSet needs first: skip the await (pulumi-kubernetes issues 248, 1974).
                .metadata(Kube.metadata(NAME, namespace, labels, Map.of("pulumi.com/skipAwait", "true")))
                .spec(ServiceSpecArgs.builder()
                        .clusterIP("None")
                        .selector(Labels.selector(NAME))
                        .ports(ServicePortArgs.builder().name("postgres").port(PORT).targetPort("postgres").protocol("TCP").build())
                        .build())
                .build(), child);
        this.serviceName = service.metadata().applyValue(m -> m.name().orElseThrow());

        this.statefulSet = new StatefulSet(NAME, StatefulSetArgs.builder()
                .metadata(Kube.metadata(NAME, namespace, labels))
                .spec(StatefulSetSpecArgs.builder()
                        .serviceName(serviceName)
                        .replicas(1)
                        .selector(Kube.selector(NAME))
                        .template(PodTemplateSpecArgs.builder()
                                .metadata(ObjectMetaArgs.builder().labels(labels).build())
                                .spec(podSpec(settings, in.secretName()))
                                .build())
                        .volumeClaimTemplates(volumeClaim(settings))
                        .persistentVolumeClaimRetentionPolicy(KEEP_DATA_VOLUME)
                        .build())
                .build(), child);

        for (var clients : in.clients()) {
            var policyOptions = CustomResourceOptions.builder().parent(this);
            clients.formerOwner().ifPresent(owner -> policyOptions.aliases(Alias.builder().parentUrn(siblingUrn(owner)).build()));
            NetworkPolicies.allowFrom(NAME, PORT, clients.pods(), namespace, policyOptions.build());
        }

        this.connection = new Connection(serviceName, PORT, settings.name(), settings.user());
        registerOutputs(Map.of("serviceName", serviceName));
    }

    /** The URN {@code sibling} has beside this component: the same stack, project and parents. */
    private Output<String> siblingUrn(Component sibling) {
        return urn().applyValue(own -> {
            var qualifiedType = own.substring(0, own.lastIndexOf("::"));
            var parents = qualifiedType.substring(0, qualifiedType.length() - pulumiResourceType().length());
            return parents + sibling.type() + "::" + sibling.name();
        });
    }

    /**
     * pg_isready against the port clients use. It waits {@value #PG_ISREADY_SECONDS} s for an answer,
     * less than the probes' timeout, so a server that does not answer is reported as such ("no
     * response") by pg_isready rather than cut off by the kubelet.
     */
    private static String pgIsReady() {
        return "pg_isready -t " + PG_ISREADY_SECONDS + " -h 127.0.0.1 -p " + PORT + " -U \"$POSTGRES_USER\" -d \"$POSTGRES_DB\"";
    }

    private static PodSpecArgs podSpec(DatabaseSettings settings, Output<String> appSecretName) {
        // Accepting connections (pg_isready exits 0): what a client needs, so what readiness asks.
        var accepting = ExecActionArgs.builder().command("sh", "-c", "exec " + pgIsReady()).build();
        // The postmaster answers at all: 0, or 1 "rejecting connections" while it starts, recovers
        // from a crash or shuts down, which a restart would only begin again. 2 (no response) fails.
        var answering = ExecActionArgs.builder().command("sh", "-c", pgIsReady() + "; [ $? -le 1 ]").build();
        return PodSpecArgs.builder()
                .automountServiceAccountToken(false)
                .enableServiceLinks(false)
                .securityContext(PodSecurity.pod(UID, UID))
                .terminationGracePeriodSeconds(60)
                .containers(ContainerArgs.builder()
                        .name(NAME)
                        .image(settings.image())
                        .imagePullPolicy(settings.imagePullPolicy())
                        .ports(ContainerPortArgs.builder().name("postgres").containerPort(PORT).protocol("TCP").build())
                        .env(
                                EnvVarArgs.builder().name("POSTGRES_DB").value(settings.name()).build(),
                                EnvVarArgs.builder().name("POSTGRES_USER").value(settings.user()).build(),
                                // Read by the image's entrypoint at initdb (the official image and ours).
                                EnvVarArgs.builder().name("POSTGRES_PASSWORD_FILE")
                                        .value(AppSecrets.APP_SECRET_DIR + "/" + AppSecrets.DB_PASSWORD_KEY).build(),
                                EnvVarArgs.builder().name("PGDATA").value(PGDATA).build())
                        // Start-up: up to 5 minutes for the postmaster to open its port (initdb on a new
                        // volume runs a temporary server on the socket only). Crash recovery is not
                        // limited by it: a recovering postmaster answers "rejecting", which passes.
                        .startupProbe(ProbeArgs.builder().exec(answering).periodSeconds(5).timeoutSeconds(PROBE_TIMEOUT_SECONDS)
                                .failureThreshold(60).build())
                        // Readiness, "should clients be sent here?": out of the Service after 2 misses
                        // 5 s apart (10 to 15 s), and back at the first answer.
                        .readinessProbe(ProbeArgs.builder().exec(accepting).periodSeconds(5).timeoutSeconds(PROBE_TIMEOUT_SECONDS)
                                .failureThreshold(2).build())
                        // Liveness, "is the postmaster wedged?": 6 misses 10 s apart, a minute without any
                        // answer. A restart drops every session and, when the server cannot stop within the
                        // grace period, ends in SIGKILL and a crash recovery: a slow or briefly stuck
                        // database is only taken out of the Service by readiness, and left to come back.
                        .livenessProbe(ProbeArgs.builder().exec(answering).periodSeconds(10).timeoutSeconds(PROBE_TIMEOUT_SECONDS)
                                .failureThreshold(6).build())
                        .resources(Kube.resources(settings.resources()))
                        .securityContext(PodSecurity.container())
                        .volumeMounts(
                                Kube.mount(DATA_VOLUME, DATA_PATH),
                                Kube.mount("run", "/var/run/postgresql"),
                                Kube.mount("tmp", "/tmp"),
                                Kube.readOnlyMount("app-secrets", AppSecrets.APP_SECRET_DIR))
                        .build())
                .volumes(Kube.emptyDir("run", "16Mi"), Kube.emptyDir("tmp", "256Mi"),
                        Kube.secretFiles("app-secrets", appSecretName, AppSecrets.DB_PASSWORD_KEY))
                .build();
    }

    private static PersistentVolumeClaimArgs volumeClaim(DatabaseSettings settings) {
        var spec = PersistentVolumeClaimSpecArgs.builder()
                .accessModes("ReadWriteOnce")
                .resources(ResourceRequirementsArgs.builder().requests(Map.of("storage", settings.storageSize())).build());
        settings.storageClass().ifPresent(spec::storageClassName);
        return PersistentVolumeClaimArgs.builder()
                .metadata(ObjectMetaArgs.builder().name(DATA_VOLUME).labels(Labels.of(NAME, "database")).build())
                .spec(spec.build())
                .build();
    }

    /** The headless Service's name: what DB_HOST holds. */
    public Output<String> serviceName() {
        return serviceName;
    }

    public Connection connection() {
        return connection;
    }

    public StatefulSet statefulSet() {
        return statefulSet;
    }
}
