package com.travelapp.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.pulumi.test.PulumiTest;
import com.travelapp.infra.StackRun.Registered;
import com.travelapp.infra.backup.DatabaseBackup;
import com.travelapp.infra.settings.Workload;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The scheduled backup (CronJob, volume, scripts, network policy) and what pulumi destroy keeps. */
class DatabaseBackupTest {
    private static final String CRON_JOB = "kubernetes:batch/v1:CronJob";
    private static final String CLAIM = "kubernetes:core/v1:PersistentVolumeClaim";
    private static final String CONFIG_MAP = "kubernetes:core/v1:ConfigMap";
    private static final String POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy";

    @AfterEach
    void cleanup() {
        PulumiTest.cleanup();
    }

    private static Map<String, Object> container(Registered cronJob) {
        return cronJob.map("spec", "jobTemplate", "spec", "template", "spec", "containers", 0);
    }

    /** Env name to its value, or to "secret#key" / "configMap#key" for references. */
    @SuppressWarnings("unchecked")
    private static Map<String, String> env(Registered cronJob) {
        var result = new HashMap<String, String>();
        for (var env : (List<Map<String, Object>>) container(cronJob).get("env")) {
            var source = (Map<String, Map<String, Object>>) env.get("valueFrom");
            result.put((String) env.get("name"), source == null ? String.valueOf(env.get("value"))
                    : source.values().iterator().next().get("name") + "#" + source.values().iterator().next().get("key"));
        }
        return result;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> volume(Registered cronJob, String name) {
        var volumes = (List<Map<String, Object>>) cronJob.at("spec", "jobTemplate", "spec", "template", "spec", "volumes");
        return volumes.stream().filter(v -> name.equals(v.get("name"))).findFirst().orElseThrow();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> mountAt(Registered cronJob, String path) {
        var mounts = (List<Map<String, Object>>) container(cronJob).get("volumeMounts");
        return mounts.stream().filter(m -> path.equals(m.get("mountPath"))).findFirst().orElseThrow();
    }

    @Test
    void byDefaultPgDumpRunsDailyAt2UtcInTheDatabaseImageOneRunAtATime() {
        var cronJob = StackRun.ofDefaults().one(CRON_JOB, "postgres-backup");
        assertEquals("0 2 * * *", cronJob.string("spec", "schedule"));
        assertEquals("UTC", cronJob.string("spec", "timeZone"));
        assertEquals("Forbid", cronJob.string("spec", "concurrencyPolicy"));
        assertEquals(3600, cronJob.integer("spec", "startingDeadlineSeconds"));
        assertEquals(3, cronJob.integer("spec", "failedJobsHistoryLimit"), "failed runs keep their logs");
        assertEquals(2, cronJob.integer("spec", "jobTemplate", "spec", "backoffLimit"));
        assertEquals(10800, cronJob.integer("spec", "jobTemplate", "spec", "activeDeadlineSeconds"));
        assertEquals("Never", cronJob.string("spec", "jobTemplate", "spec", "template", "spec", "restartPolicy"));
        assertEquals("postgres:17.2-alpine3.21", container(cronJob).get("image"));
        assertEquals(List.of("sh", "/scripts/backup.sh"), container(cronJob).get("command"));
        assertEquals("7", env(cronJob).get("BACKUP_RETENTION"));
        assertEquals("/backups", env(cronJob).get("BACKUP_DIR"));
    }

    @Test
    void theBackupRunsTheDatabasesImageWhateverItIsSoPgDumpMatchesTheServer() {
        var run = StackRun.of(StackRun.settings(Map.of("databaseImage", "localhost/travel-app/postgres:15-bookworm")));
        assertEquals("localhost/travel-app/postgres:15-bookworm", container(run.one(CRON_JOB, "postgres-backup")).get("image"));
        assertEquals(run.one("kubernetes:apps/v1:StatefulSet", "postgres").at("spec", "template", "spec", "containers", 0, "image"),
                container(run.one(CRON_JOB, "postgres-backup")).get("image"));
    }

    @Test
    void scheduleRetentionVolumeSizeClassAndResourcesComeFromStackConfig() {
        var run = StackRun.of(StackRun.settings(Map.of("backupSchedule", "*/30 * * * *", "backupRetention", "48",
                "backupStorageSize", "10Gi", "backupStorageClass", "slow-hdd",
                "resources", "{\"backup\":{\"memoryLimit\":\"1Gi\"}}")));
        var cronJob = run.one(CRON_JOB, "postgres-backup");
        assertEquals("*/30 * * * *", cronJob.string("spec", "schedule"));
        assertEquals("48", env(cronJob).get("BACKUP_RETENTION"));
        var claim = run.one(CLAIM, "postgres-backups");
        assertEquals("10Gi", claim.string("spec", "resources", "requests", "storage"));
        assertEquals("slow-hdd", claim.string("spec", "storageClassName"));
        assertEquals(List.of("ReadWriteOnce"), claim.at("spec", "accessModes"));
        assertEquals("1Gi", ((Map<?, ?>) ((Map<?, ?>) container(cronJob).get("resources")).get("limits")).get("memory"));
        assertEquals(Workload.BACKUP.defaults().cpuLimit(),
                ((Map<?, ?>) ((Map<?, ?>) container(cronJob).get("resources")).get("limits")).get("cpu"));
    }

    @Test
    void withoutAStorageClassTheBackupVolumeUsesTheClustersDefault() {
        assertNull(StackRun.ofDefaults().one(CLAIM, "postgres-backups").at("spec", "storageClassName"));
        assertEquals("2Gi", StackRun.ofDefaults().one(CLAIM, "postgres-backups").string("spec", "resources", "requests", "storage"));
    }

    @Test
    void backupPodsReachTheDatabaseServiceAsTheAppUserWithThePasswordFileOfTheAppSecret() {
        var run = StackRun.of(StackRun.settings(Map.of("databaseName", "trips", "databaseUser", "planner")));
        var cronJob = run.one(CRON_JOB, "postgres-backup");
        var env = env(cronJob);
        assertEquals(run.one("kubernetes:core/v1:Service", "postgres").string("metadata", "name"), env.get("PGHOST"));
        assertEquals("5432", env.get("PGPORT"));
        assertEquals("trips", env.get("PGDATABASE"));
        assertEquals("planner", env.get("PGUSER"));
        assertEquals("/run/secrets/app-secrets/db_password", env.get("DB_PASSWORD_FILE"));
        assertFalse(env.containsKey("PGPASSWORD"), "the password is an environment variable");
        assertTrue(env.values().stream().noneMatch(v -> v.contains("#")), "an env var references a Secret or ConfigMap: " + env);
        assertEquals(true, mountAt(cronJob, "/run/secrets/app-secrets").get("readOnly"));
        var secret = (Map<?, ?>) volume(cronJob, (String) mountAt(cronJob, "/run/secrets/app-secrets").get("name")).get("secret");
        assertEquals("app-secrets", secret.get("secretName"));
        assertEquals(List.of(Map.of("key", "db_password", "path", "db_password")), secret.get("items"), "only the database password");
        assertEquals(0440, ((Number) secret.get("defaultMode")).intValue());
        assertFalse(cronJob.inputs().toString().contains(StackRun.generated("database-password")),
                "the generated password is in the CronJob in clear");
    }

    @Test
    void dumpsGoToTheBackupVolumeAndThePodsRunTheShippedScriptsReadOnly() {
        var run = StackRun.ofDefaults();
        var cronJob = run.one(CRON_JOB, "postgres-backup");
        assertEquals("postgres-backups", volume(cronJob, "backups").get("persistentVolumeClaim") instanceof Map<?, ?> claim
                ? claim.get("claimName") : null);
        assertEquals("backups", mountAt(cronJob, "/backups").get("name"));
        assertEquals("scripts", mountAt(cronJob, "/scripts").get("name"));
        assertEquals(true, mountAt(cronJob, "/scripts").get("readOnly"));
        assertEquals("postgres-backup-scripts", ((Map<?, ?>) volume(cronJob, "scripts").get("configMap")).get("name"));
        var scripts = run.one(CONFIG_MAP, "postgres-backup-scripts").map("data");
        assertEquals(DatabaseBackup.scripts(), scripts);
        assertTrue(((String) scripts.get("backup.sh")).contains("pg_dump --format=custom"), "backup.sh does not dump in custom format");
        assertTrue(((String) scripts.get("restore.sh")).contains("pg_restore --dbname="), "restore.sh does not restore");
    }

    @Test
    @SuppressWarnings("unchecked")
    void aPolicyOfTheBackupsOwnLetsOnlyTheBackupPodsReachPostgresOn5432() {
        var run = StackRun.ofDefaults();
        var policy = run.one(POLICY, "allow-postgres-backup-to-postgres");
        var postgresPods = run.one("kubernetes:apps/v1:StatefulSet", "postgres").map("spec", "template", "metadata", "labels");
        var backupPods = run.one(CRON_JOB, "postgres-backup").map("spec", "jobTemplate", "spec", "template", "metadata", "labels");
        var target = policy.map("spec", "podSelector", "matchLabels");
        assertTrue(postgresPods.entrySet().containsAll(target.entrySet()), "the policy does not select postgres-0: " + target);
        var from = (List<Map<String, Object>>) policy.at("spec", "ingress", 0, "from");
        assertEquals(1, from.size());
        var peer = (Map<String, Object>) ((Map<String, Object>) from.get(0).get("podSelector")).get("matchLabels");
        assertTrue(backupPods.entrySet().containsAll(peer.entrySet()), "the policy does not admit the backup pods: " + peer);
        assertEquals("TCP", policy.string("spec", "ingress", 0, "ports", 0, "protocol"));
        assertEquals(5432, policy.integer("spec", "ingress", 0, "ports", 0, "port"));
        assertEquals(1, policy.list("spec", "ingress", 0, "ports").size());
        assertEquals("backup", backupPods.get("app.kubernetes.io/component"));
        assertEquals(List.of("Ingress"), policy.at("spec", "policyTypes"));
    }

    @Test
    void theDataVolumeOutlivesTheStatefulSetAndAScaleDown() {
        var statefulSet = StackRun.ofDefaults().one("kubernetes:apps/v1:StatefulSet", "postgres");
        assertEquals(Map.of("whenDeleted", "Retain", "whenScaled", "Retain"), statefulSet.map("spec", "persistentVolumeClaimRetentionPolicy"));
    }

    @Test
    void pulumiDestroyLeavesTheNamespaceAndTheBackupVolumeAndDeletesEverythingElse() {
        var run = StackRun.ofDefaults();
        assertTrue(run.retainedOnDelete("kubernetes:core/v1:Namespace", "travel-app"),
                "deleting the namespace would delete the data and backup claims in it");
        assertTrue(run.retainedOnDelete(CLAIM, "postgres-backups"));
        var retained = run.resources.stream().filter(r -> !r.type().startsWith("travel:"))
                .filter(r -> run.retainedOnDelete(r.type(), r.name())).map(r -> r.type() + " " + r.name()).sorted().toList();
        assertEquals(List.of("kubernetes:core/v1:Namespace travel-app", CLAIM + " postgres-backups"), retained);
    }

    @Test
    void inAnExistingNamespaceTheBackupVolumeIsStillKeptByDestroy() {
        var run = StackRun.of(StackRun.settings(Map.of("namespace", "default")));
        assertTrue(run.retainedOnDelete(CLAIM, "postgres-backups"));
        assertEquals("default", run.one(CLAIM, "postgres-backups").string("metadata", "namespace"));
    }

    @Test
    void withBackupEnabledFalseNoBackupObjectExistsAndEveryOtherResourceIsAsByDefault() {
        var withoutBackup = StackRun.of(StackRun.settings(Map.of("backupEnabled", "false")));
        assertEquals(List.of(), withoutBackup.result.exceptions(), "the program threw");
        var backupResources = withoutBackup.resources.stream()
                .filter(r -> (r.type() + " " + r.name() + " " + r.inputs()).contains("backup"))
                .map(r -> r.type() + " " + r.name()).toList();
        assertEquals(List.of(), backupResources);
        var defaultsWithoutBackup = StackRun.ofDefaults().resources.stream()
                .filter(r -> !(r.type() + " " + r.name() + " " + r.inputs()).contains("backup"))
                .map(r -> r.type() + " " + r.name() + " " + r.inputs()).sorted().toList();
        assertEquals(defaultsWithoutBackup, withoutBackup.resources.stream()
                .map(r -> r.type() + " " + r.name() + " " + r.inputs()).sorted().toList());
        assertEquals(List.of(CRON_JOB + " postgres-backup", CONFIG_MAP + " postgres-backup-scripts", CLAIM + " postgres-backups",
                        POLICY + " allow-postgres-backup-to-postgres", POLICY + " allow-postgres-backup-to-postgres-egress",
                        "travel:app:DatabaseBackup backup"),
                StackRun.ofDefaults().resources.stream().filter(r -> (r.type() + " " + r.name() + " " + r.inputs()).contains("backup"))
                        .map(r -> r.type() + " " + r.name()).sorted().toList());
    }
}
