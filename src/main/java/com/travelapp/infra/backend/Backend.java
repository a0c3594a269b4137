package com.travelapp.infra.backend;

import com.pulumi.core.Output;
import com.pulumi.kubernetes.apps.v1.Deployment;
import com.pulumi.kubernetes.apps.v1.DeploymentArgs;
import com.pulumi.kubernetes.apps.v1.inputs.DeploymentSpecArgs;
import com.pulumi.kubernetes.batch.v1.Job;
import com.pulumi.kubernetes.batch.v1.JobArgs;
import com.pulumi.kubernetes.batch.v1.inputs.JobSpecArgs;
import com.pulumi.kubernetes.core.v1.Service;
import com.pulumi.kubernetes.core.v1.ServiceArgs;
import com.pulumi.kubernetes.core.v1.inputs.ConfigMapKeySelectorArgs;
import com.pulumi.kubernetes.core.v1.inputs.ContainerArgs;
import com.pulumi.kubernetes.core.v1.inputs.ContainerPortArgs;
import com.pulumi.kubernetes.core.v1.inputs.EnvVarArgs;
import com.pulumi.kubernetes.core.v1.inputs.EnvVarSourceArgs;
import com.pulumi.kubernetes.core.v1.inputs.HTTPGetActionArgs;
import com.pulumi.kubernetes.core.v1.inputs.PodSpecArgs;
import com.pulumi.kubernetes.core.v1.inputs.PodTemplateSpecArgs;
import com.pulumi.kubernetes.core.v1.inputs.ProbeArgs;
import com.pulumi.kubernetes.core.v1.inputs.ServicePortArgs;
import com.pulumi.kubernetes.core.v1.inputs.ServiceSpecArgs;
import com.pulumi.kubernetes.core.v1.inputs.VolumeArgs;
import com.pulumi.kubernetes.meta.v1.inputs.ObjectMetaArgs;
import com.pulumi.resources.ComponentResource;
import com.pulumi.resources.ComponentResourceOptions;
import com.pulumi.resources.CustomResourceOptions;
import com.pulumi.resources.Resource;
import com.travelapp.infra.configuration.AppConfig;
import com.travelapp.infra.configuration.AppSecrets;
import com.travelapp.infra.kube.Autoscaler;
import com.travelapp.infra.kube.Kube;
import com.travelapp.infra.kube.Labels;
import com.travelapp.infra.kube.NetworkPolicies;
import com.travelapp.infra.kube.PodSecurity;
import com.travelapp.infra.settings.BackendSettings;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The backend tier: the Django API as a Deployment behind a ClusterIP Service on 8000, with the
 * release's database migrations run once by a Job before the new pods roll out.
 */
public final class Backend extends ComponentResource {
    public static final String NAME = "backend";
    public static final String MIGRATIONS = "backend-migrations";
    public static final int PORT = 8000;
    public static final int UID = 10001;
    public static final String METRICS_PATH = "/metrics";
    public static final List<String> CLIENTS = List.of("frontend", "prometheus");
    public static final List<String> MIGRATE_COMMAND = List.of("python", "manage.py", "migrate", "--noinput");
    /** The backend's pods that connect to PostgreSQL: the web pods and the migration Job's. */
    public static final List<String> DATABASE_CLIENTS = List.of(NAME, MIGRATIONS);
    /**
     * How Prometheus finds the web pods' metrics (the kubernetes-pods job of prometheus.yml): the
     * pods are scraped through these annotations only, not also through their Service.
     */
    public static final Map<String, String> SCRAPE_ANNOTATIONS = Map.of(
            "prometheus.io/scrape", "true",
            "prometheus.io/port", String.valueOf(PORT),
            "prometheus.io/path", METRICS_PATH);
    private static final String SECRETS_VOLUME = "app-secrets";

    private final Output<String> serviceName;
    private final Deployment deployment;

    /** What the backend needs from the tiers declared before it. */
    public record Inputs(Output<String> namespace, Output<String> configMapName, Output<String> configChecksum,
                         Output<String> secretName, Output<String> secretVersion, Resource database) {}

    public Backend(String name, BackendSettings settings, Inputs in, ComponentResourceOptions options) {
        super("travel:app:Backend", name, options);
        var child = CustomResourceOptions.builder().parent(this).build();
        var labels = podLabels();

        var migrations = new Job(migrationJobName(settings.image()), JobArgs.builder()
                .metadata(Kube.metadata(migrationJobName(settings.image()), in.namespace(), Labels.of(MIGRATIONS, "migrations")))
                .spec(JobSpecArgs.builder()
                        .backoffLimit(4)
                        .activeDeadlineSeconds(600)
                        .template(PodTemplateSpecArgs.builder()
                                .metadata(ObjectMetaArgs.builder().labels(Labels.of(MIGRATIONS, "migrations")).build())
                                .spec(PodSpecArgs.builder()
                                        .restartPolicy("Never")
                                        .automountServiceAccountToken(false)
                                        .enableServiceLinks(false)
                                        .securityContext(PodSecurity.pod(UID, UID))
                                        .containers(ContainerArgs.builder()
                                                .name("migrate")
                                                .image(settings.image())
                                                .imagePullPolicy(settings.imagePullPolicy())
                                                .command(MIGRATE_COMMAND)
                                                .env(environment(in))
                                                .resources(Kube.resources(settings.migrationResources()))
                                                .securityContext(PodSecurity.container())
                                                .volumeMounts(Kube.mount("tmp", "/tmp"), Kube.readOnlyMount(SECRETS_VOLUME, AppSecrets.APP_SECRET_DIR))
                                                .build())
                                        .volumes(Kube.emptyDir("tmp", "64Mi"), secretFiles(in))
                                        .build())
                                .build())
                        .build())
                .build(),
                // A Job's template is immutable: a config change with the same image replaces it.
                CustomResourceOptions.builder().parent(this).deleteBeforeReplace(true).dependsOn(in.database()).build());

        this.deployment = new Deployment(NAME, DeploymentArgs.builder()
                .metadata(Kube.metadata(NAME, in.namespace(), labels, Autoscaler.DEPLOYMENT_ANNOTATIONS))
                .spec(DeploymentSpecArgs.builder()
                        .replicas(Autoscaler.replicas(settings.replicas(), settings.autoscaling()))
                        .revisionHistoryLimit(5)
                        .selector(Kube.selector(NAME))
                        .strategy(Kube.zeroDowntimeRollingUpdate())
                        .template(PodTemplateSpecArgs.builder()
                                .metadata(ObjectMetaArgs.builder()
                                        .labels(labels)
                                        .annotations(Output.tuple(in.configChecksum(), in.secretVersion())
                                                .applyValue(t -> podAnnotations(t.t1, t.t2)))
                                        .build())
                                .spec(podSpec(settings, in))
                                .build())
                        .build())
                .build(), CustomResourceOptions.builder().parent(this).dependsOn(migrations).build());

        var service = new Service(NAME, ServiceArgs.builder()
                .metadata(Kube.metadata(NAME, in.namespace(), labels))
                .spec(ServiceSpecArgs.builder()
                        .type("ClusterIP")
                        .selector(Labels.selector(NAME))
                        .ports(ServicePortArgs.builder().name("http").port(PORT).targetPort("http").protocol("TCP").build())
                        .build())
                .build(), child);
        this.serviceName = service.metadata().applyValue(m -> m.name().orElseThrow());

        Kube.keepOneAvailable(NAME, in.namespace(), labels, child);
        if (settings.autoscaling().enabled()) {
            Autoscaler.forDeployment(NAME, in.namespace(), labels, settings.replicas(), settings.autoscaling(),
                    CustomResourceOptions.builder().parent(this).dependsOn(deployment).build());
        }

        NetworkPolicies.allowFrom(NAME, PORT, CLIENTS, in.namespace(), child);

        registerOutputs(Map.of("serviceName", serviceName, "migrationJob", migrations.metadata().applyValue(m -> m.name().orElseThrow())));
    }

    /** The web pods' labels, also what {@code WriteMonitoringFiles} gives a local Prometheus check. */
    public static Map<String, String> podLabels() {
        return Labels.of(NAME, "api");
    }

    /** The scrape annotations, and the checksums that roll the pods when their config or secrets change. */
    private static Map<String, String> podAnnotations(String configChecksum, String secretVersion) {
        var annotations = new TreeMap<>(SCRAPE_ANNOTATIONS);
        annotations.put("travel-app/config-checksum", configChecksum);
        annotations.put("travel-app/secret-version", secretVersion);
        return annotations;
    }

    private static PodSpecArgs podSpec(BackendSettings settings, Inputs in) {
        var healthz = HTTPGetActionArgs.builder().path("/healthz").port("http").build();
        var readyz = HTTPGetActionArgs.builder().path("/readyz").port("http").build();
        return PodSpecArgs.builder()
                .automountServiceAccountToken(false)
                .enableServiceLinks(false)
                .securityContext(PodSecurity.pod(UID, UID))
                .terminationGracePeriodSeconds(30)
                .containers(ContainerArgs.builder()
                        .name(NAME)
                        .image(settings.image())
                        .imagePullPolicy(settings.imagePullPolicy())
                        .ports(ContainerPortArgs.builder().name("http").containerPort(PORT).protocol("TCP").build())
                        .env(environment(in))
                        // Start-up: the image waits up to a minute for the database before gunicorn
                        // answers; 150 s before the liveness probe may judge it.
                        .startupProbe(ProbeArgs.builder().httpGet(healthz).periodSeconds(5).failureThreshold(30).build())
                        // Readiness, "can it serve the API?": /readyz answers 503 while the database is
                        // unreachable or a migration is unapplied; out of the Service after 30 s.
                        .readinessProbe(ProbeArgs.builder().httpGet(readyz).periodSeconds(10).timeoutSeconds(3).failureThreshold(3).build())
                        // Liveness, "is gunicorn wedged?": /healthz touches no database, so an outage of
                        // PostgreSQL takes the pods out of the Service without restarting them. A minute
                        // of no answer before a restart.
                        .livenessProbe(ProbeArgs.builder().httpGet(healthz).periodSeconds(20).timeoutSeconds(3).failureThreshold(3).build())
                        .lifecycle(Kube.drainBeforeStop())
                        .resources(Kube.resources(settings.resources()))
                        .securityContext(PodSecurity.container())
                        .volumeMounts(Kube.mount("tmp", "/tmp"), Kube.readOnlyMount(SECRETS_VOLUME, AppSecrets.APP_SECRET_DIR))
                        .build())
                .volumes(Kube.emptyDir("tmp", "128Mi"), secretFiles(in))
                .build();
    }

    /**
     * The same environment for the web pods and the migration Job: the ConfigMap's keys, and where
     * the two secrets are mounted (Django's settings read {@code DB_PASSWORD_FILE} and
     * {@code SECRET_KEY_FILE}), never the secrets themselves.
     */
    static List<EnvVarArgs> environment(Inputs in) {
        var env = new ArrayList<EnvVarArgs>();
        for (var key : AppConfig.KEYS) {
            env.add(EnvVarArgs.builder().name(key).valueFrom(EnvVarSourceArgs.builder()
                    .configMapKeyRef(ConfigMapKeySelectorArgs.builder().name(in.configMapName()).key(key).build())
                    .build()).build());
        }
        env.add(EnvVarArgs.builder().name("DB_PASSWORD_FILE").value(AppSecrets.APP_SECRET_DIR + "/" + AppSecrets.DB_PASSWORD_KEY).build());
        env.add(EnvVarArgs.builder().name("SECRET_KEY_FILE").value(AppSecrets.APP_SECRET_DIR + "/" + AppSecrets.DJANGO_SECRET_KEY_KEY).build());
        return env;
    }

    private static VolumeArgs secretFiles(Inputs in) {
        return Kube.secretFiles(SECRETS_VOLUME, in.secretName(), AppSecrets.DB_PASSWORD_KEY, AppSecrets.DJANGO_SECRET_KEY_KEY);
    }

    /** One Job per release: a new image gets a new name, so its migrations run exactly once. */
    public static String migrationJobName(String image) {
        try {
            var hash = MessageDigest.getInstance("SHA-256").digest(image.getBytes(StandardCharsets.UTF_8));
            return "backend-migrate-" + HexFormat.of().formatHex(hash).substring(0, 10);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JVM", e);
        }
    }

    public Output<String> serviceName() {
        return serviceName;
    }

    public Deployment deployment() {
        return deployment;
    }
}
