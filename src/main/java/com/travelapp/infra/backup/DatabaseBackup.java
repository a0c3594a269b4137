package com.travelapp.infra.backup;

import com.pulumi.core.Output;
import com.pulumi.kubernetes.batch.v1.CronJob;
import com.pulumi.kubernetes.batch.v1.CronJobArgs;
import com.pulumi.kubernetes.batch.v1.inputs.CronJobSpecArgs;
import com.pulumi.kubernetes.batch.v1.inputs.JobSpecArgs;
import com.pulumi.kubernetes.batch.v1.inputs.JobTemplateSpecArgs;
import com.pulumi.kubernetes.core.v1.ConfigMap;
import com.pulumi.kubernetes.core.v1.ConfigMapArgs;
import com.pulumi.kubernetes.core.v1.PersistentVolumeClaim;
import com.pulumi.kubernetes.core.v1.PersistentVolumeClaimArgs;
import com.pulumi.kubernetes.core.v1.inputs.ConfigMapVolumeSourceArgs;
import com.pulumi.kubernetes.core.v1.inputs.ContainerArgs;
import com.pulumi.kubernetes.core.v1.inputs.EnvVarArgs;
import com.pulumi.kubernetes.core.v1.inputs.PersistentVolumeClaimSpecArgs;
import com.pulumi.kubernetes.core.v1.inputs.PersistentVolumeClaimVolumeSourceArgs;
import com.pulumi.kubernetes.core.v1.inputs.PodSpecArgs;
import com.pulumi.kubernetes.core.v1.inputs.PodTemplateSpecArgs;
import com.pulumi.kubernetes.core.v1.inputs.ResourceRequirementsArgs;
import com.pulumi.kubernetes.core.v1.inputs.VolumeArgs;
import com.pulumi.kubernetes.meta.v1.inputs.ObjectMetaArgs;
import com.pulumi.resources.ComponentResource;
import com.pulumi.resources.ComponentResourceOptions;
import com.pulumi.resources.CustomResourceOptions;
import com.travelapp.infra.configuration.AppSecrets;
import com.travelapp.infra.database.Database;
import com.travelapp.infra.kube.JarFiles;
import com.travelapp.infra.kube.Kube;
import com.travelapp.infra.kube.Labels;
import com.travelapp.infra.kube.PodSecurity;
import com.travelapp.infra.settings.BackupSettings;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The database's scheduled backup: a CronJob running {@code pg_dump} (custom format) in the
 * database's own image onto a volume of its own, keeping the newest {@code backupRetention} dumps
 * (the Database admits its pods, by {@link #NAME}). The scripts its pods run
 * ({@code backup/backup.sh}, {@code backup/restore.sh}, their {@code common.sh}) are a ConfigMap:
 * {@code scripts/db-restore.sh} restores through a Job made from this CronJob's own pod template,
 * so a restore runs with exactly what a backup runs with. The volume is kept by
 * {@code pulumi destroy} (docs/operations.md).
 */
public final class DatabaseBackup extends ComponentResource {
    /** The CronJob, and the name label of every backup and restore pod (what the network policy admits). */
    public static final String NAME = "postgres-backup";
    public static final String TYPE = "travel:app:DatabaseBackup";
    public static final String VOLUME_CLAIM = "postgres-backups";
    public static final String SCRIPTS = "postgres-backup-scripts";
    public static final String BACKUP_DIR = "/backups";
    public static final String SCRIPTS_DIR = "/scripts";
    public static final List<String> SCRIPT_FILES = List.of("backup.sh", "restore.sh", "common.sh");
    /** The Docker secrets convention (/run/secrets/NAME), as the other tiers mount the app Secret. */
    /** The backup and restore pods' user and fsGroup (see podSpec). */
    public static final int UID = 10070;
    public static final String SECRETS_DIR = AppSecrets.APP_SECRET_DIR;
    public static final String PASSWORD_FILE = SECRETS_DIR + "/" + AppSecrets.DB_PASSWORD_KEY;
    /** Schedules are read in UTC whatever the controller's local time zone is. */
    public static final String TIME_ZONE = "UTC";
    /** A missed run (controller down at the scheduled time) still starts within this window. */
    public static final int STARTING_DEADLINE_SECONDS = 3600;
    /** Stops a dump that hangs long before the next day's run would be due. */
    public static final int ACTIVE_DEADLINE_SECONDS = 3 * 3600;

    private final Output<String> volumeClaimName;

    /** What the backup needs from the tiers declared before it. */
    public record Inputs(Output<String> namespace, Database.Connection database, Output<String> secretName) {}

    public DatabaseBackup(String name, BackupSettings backup, Inputs in, ComponentResourceOptions options) {
        super(TYPE, name, options);
        var child = CustomResourceOptions.builder().parent(this).build();
        var labels = Labels.of(NAME, "backup");

        // Every dump lives here: deleting it with the stack would delete the backups with the
        // data they are meant to outlive.
        var claim = new PersistentVolumeClaim(VOLUME_CLAIM, PersistentVolumeClaimArgs.builder()
                .metadata(Kube.metadata(VOLUME_CLAIM, in.namespace(), labels))
                .spec(claimSpec(backup))
                .build(), CustomResourceOptions.builder().parent(this).retainOnDelete(true).build());
        this.volumeClaimName = claim.metadata().applyValue(m -> m.name().orElseThrow());

        // A fixed name referenced by the pods; a data change replaces the ConfigMap, so delete first.
        var scripts = new ConfigMap(SCRIPTS, ConfigMapArgs.builder()
                .metadata(Kube.metadata(SCRIPTS, in.namespace(), labels))
                .data(scripts())
                .build(), CustomResourceOptions.builder().parent(this).deleteBeforeReplace(true).build());
        var scriptsName = scripts.metadata().applyValue(m -> m.name().orElseThrow());

        new CronJob(NAME, CronJobArgs.builder()
                .metadata(Kube.metadata(NAME, in.namespace(), labels))
                .spec(CronJobSpecArgs.builder()
                        .schedule(backup.schedule())
                        .timeZone(TIME_ZONE)
                        .concurrencyPolicy("Forbid")
                        .startingDeadlineSeconds(STARTING_DEADLINE_SECONDS)
                        .successfulJobsHistoryLimit(3)
                        .failedJobsHistoryLimit(3)
                        .jobTemplate(JobTemplateSpecArgs.builder()
                                .metadata(ObjectMetaArgs.builder().labels(labels).build())
                                .spec(JobSpecArgs.builder()
                                        .backoffLimit(2)
                                        .activeDeadlineSeconds(ACTIVE_DEADLINE_SECONDS)
                                        .template(PodTemplateSpecArgs.builder()
                                                .metadata(ObjectMetaArgs.builder().labels(labels).build())
                                                .spec(podSpec(backup, in, volumeClaimName, scriptsName))
                                                .build())
                                        .build())
                                .build())
                        .build())
                .build(), child);

        registerOutputs(Map.of("volumeClaimName", volumeClaimName));
    }

    private static PersistentVolumeClaimSpecArgs claimSpec(BackupSettings backup) {
        var spec = PersistentVolumeClaimSpecArgs.builder()
                .accessModes("ReadWriteOnce")
                .resources(ResourceRequirementsArgs.builder().requests(Map.of("storage", backup.storageSize())).build());
        backup.storageClass().ifPresent(spec::storageClassName);
        return spec.build();
    }

    /**
     * The database's image (its pg_dump matches the server), under a user of its own: pg_dump and
     * pg_restore are clients and run as any UID, so the backup pods stay off the image's postgres
     * user (70) like every workload but the server (checkov CKV_K8S_40). Backup and restore Jobs
     * share this template, so the dumps belong to the user that reads them back.
     */
    private static PodSpecArgs podSpec(BackupSettings backup, Inputs in, Output<String> claimName, Output<String> scriptsName) {
        var database = in.database();
        return PodSpecArgs.builder()
                .restartPolicy("Never")
                .automountServiceAccountToken(false)
                .enableServiceLinks(false)
                .securityContext(PodSecurity.pod(UID, UID))
                .containers(ContainerArgs.builder()
                        .name(NAME)
                        .image(backup.image())
                        .imagePullPolicy(backup.imagePullPolicy())
                        .command("sh", SCRIPTS_DIR + "/backup.sh")
                        .env(
                                EnvVarArgs.builder().name("PGHOST").value(database.host()).build(),
                                EnvVarArgs.builder().name("PGPORT").value(String.valueOf(database.port())).build(),
                                EnvVarArgs.builder().name("PGDATABASE").value(database.name()).build(),
                                EnvVarArgs.builder().name("PGUSER").value(database.user()).build(),
                                EnvVarArgs.builder().name("DB_PASSWORD_FILE").value(PASSWORD_FILE).build(),
                                EnvVarArgs.builder().name("PGCONNECT_TIMEOUT").value("10").build(),
                                EnvVarArgs.builder().name("BACKUP_DIR").value(BACKUP_DIR).build(),
                                EnvVarArgs.builder().name("BACKUP_RETENTION").value(String.valueOf(backup.retention())).build())
                        .resources(Kube.resources(backup.resources()))
                        .securityContext(PodSecurity.container())
                        .volumeMounts(
                                Kube.mount("backups", BACKUP_DIR),
                                Kube.readOnlyMount("scripts", SCRIPTS_DIR),
                                Kube.readOnlyMount("app-secrets", SECRETS_DIR),
                                Kube.mount("tmp", "/tmp"))
                        .build())
                .volumes(
                        VolumeArgs.builder().name("backups").persistentVolumeClaim(
                                PersistentVolumeClaimVolumeSourceArgs.builder().claimName(claimName).build()).build(),
                        VolumeArgs.builder().name("scripts").configMap(
                                ConfigMapVolumeSourceArgs.builder().name(scriptsName).build()).build(),
                        Kube.secretFiles("app-secrets", in.secretName(), AppSecrets.DB_PASSWORD_KEY),
                        Kube.emptyDir("tmp", "64Mi"))
                .build();
    }

    /** File name to content of the scripts the backup and restore pods run, as shipped in the jar. */
    public static Map<String, String> scripts() {
        return SCRIPT_FILES.stream().collect(Collectors.toMap(file -> file, file -> JarFiles.text("backup/" + file)));
    }

    /** The claim every backup is written to. */
    public Output<String> volumeClaimName() {
        return volumeClaimName;
    }
}
