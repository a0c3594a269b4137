package com.travelapp.infra.it.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.travelapp.infra.backend.Backend;
import com.travelapp.infra.backup.DatabaseBackup;
import com.travelapp.infra.configuration.AppSecrets;
import com.travelapp.infra.database.Database;
import com.travelapp.infra.it.support.Command;
import com.travelapp.infra.it.support.Http;
import com.travelapp.infra.it.support.Integration;
import com.travelapp.infra.it.support.ItEnvironment;
import com.travelapp.infra.it.support.Pods;
import com.travelapp.infra.it.support.TestStack;
import com.travelapp.infra.kube.Labels;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.Order;

/**
 * Backups that restore: the CronJob runs on the schedule set in stack config, the retention keeps
 * the newest, and after the database and its volume are deleted, scripts/db-restore.sh (the
 * command a user runs) gives every row back byte for byte, sequences included.
 */
@Order(14)
@ExtendWith(Integration.class)
@Timeout(value = 15, unit = TimeUnit.MINUTES)
class BackupRestoreIT {
    private static final int TRIPS = 40;
    private static final int RETENTION = 2;
    private static final Pattern BACKED_UP = Pattern.compile("backed up to (travel-[0-9TZ]+\\.dump)");

    private ItEnvironment env;
    private KubernetesClient kube;
    private String ns;
    private String url;
    private TestStack stack;

    private String psql(String sql) {
        return Pods.exec(kube, ns, Database.NAME + "-0", "psql", "-U", env.localConfig("databaseUser"),
                "-d", env.localConfig("databaseName"), "-Atq", "-v", "ON_ERROR_STOP=1", "-c", sql).orFail();
    }

    private static String sha256(String text) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    }

    private String rowsDigest() throws Exception {
        return sha256(psql("COPY (SELECT t.*, d.* FROM trips_trip t JOIN trips_destination d ON d.id = t.destination_id"
                + " ORDER BY t.id) TO STDOUT"));
    }

    private String apiDigest() throws Exception {
        var response = Http.get(url + "/api/trips/?page_size=100");
        assertThat(response.statusCode()).isEqualTo(200);
        return sha256(response.body());
    }

    private Command.Result user(String... command) {
        return Command.run(env.projectDir(), env.cluster().env(), Duration.ofMinutes(5), List.of(command));
    }

    @Test
    void aScheduledBackupRunsAndARestoreAfterTheVolumeIsDeletedGivesEveryRowBackByteIdentical(ItEnvironment env)
            throws Exception {
        this.env = env;
        stack = env.deployedStack();
        kube = env.kube();
        ns = env.localConfig("namespace");
        url = stack.output("frontendUrl");

        var cron = kube.batch().v1().cronjobs().inNamespace(ns).withName(DatabaseBackup.NAME).get();
        assertThat(cron.getSpec().getSchedule() + " " + cron.getSpec().getTimeZone() + " " + cron.getSpec().getConcurrencyPolicy())
                .as("daily at 02:00 UTC by default, one run at a time").isEqualTo("0 2 * * * " + DatabaseBackup.TIME_ZONE + " Forbid");
        assertThat(kube.persistentVolumeClaims().inNamespace(ns).withName(DatabaseBackup.VOLUME_CLAIM).get().getStatus()
                .getPhase()).isEqualTo("Bound");

        int destination = SelfHealingIT.firstDestination(url);
        for (int i = 0; i < TRIPS; i++) {
            var created = Http.postJson(url + "/api/trips/", TripJson.trip("Backup trip " + i + " — Zürich ✈ «" + i * 7 + "»",
                    i, destination));
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        }
        int tripsBefore = Integer.parseInt(psql("SELECT count(*) FROM trips_trip"));
        int maxIdBefore = Integer.parseInt(psql("SELECT max(id) FROM trips_trip"));
        String rowsBefore = rowsDigest();
        String apiBefore = apiDigest();

        // A run on the schedule, from stack config, by the cluster's own CronJob controller.
        stack.set("backupSchedule", "* * * * *");
        stack.set("backupRetention", String.valueOf(RETENTION));
        stack.up();
        await("the CronJob runs a backup on the schedule '* * * * *' and it succeeds").atMost(Duration.ofSeconds(150))
                .pollInterval(Duration.ofSeconds(2))
                .until(() -> kube.batch().v1().jobs().inNamespace(ns).withLabel(Labels.NAME, DatabaseBackup.NAME).list()
                        .getItems().stream().anyMatch(job -> !job.getMetadata().getOwnerReferences().isEmpty()
                                && "CronJob".equals(job.getMetadata().getOwnerReferences().get(0).getKind())
                                && Integer.valueOf(1).equals(job.getStatus().getSucceeded())));
        stack.remove("backupSchedule");
        stack.up();

        List<String> printed = new ArrayList<>();
        String backup = null;
        for (int run = 1; run <= 2; run++) {
            String out = user("bash", "scripts/db-backup.sh", "--namespace", ns).orFail();
            printed.add(out);
            Matcher m = BACKED_UP.matcher(out);
            assertThat(m.find()).as("db-backup.sh names its dump: " + out).isTrue();
            backup = m.group(1);
        }
        String list = user("bash", "scripts/db-restore.sh", "--namespace", ns, "--list").orFail();
        printed.add(list);
        List<String> listed = list.lines().map(String::strip).filter(l -> l.startsWith("travel-")).map(l -> l.split("\\s+")[0])
                .toList();
        assertThat(listed).as("retention " + RETENTION + " keeps the newest, the last manual one newest")
                .hasSize(RETENTION).endsWith(backup);

        String claim = Database.DATA_VOLUME + "-" + Database.NAME + "-0";
        String volume = kube.persistentVolumeClaims().inNamespace(ns).withName(claim).get().getSpec().getVolumeName();
        kube.apps().statefulSets().inNamespace(ns).withName(Database.NAME).delete();
        await("postgres-0 is gone").atMost(Duration.ofSeconds(120))
                .until(() -> kube.pods().inNamespace(ns).withName(Database.NAME + "-0").get() == null);
        kube.persistentVolumeClaims().inNamespace(ns).withName(claim).delete();
        await("the volume " + volume + " is gone").atMost(Duration.ofSeconds(120))
                .until(() -> kube.persistentVolumes().withName(volume).get() == null);
        await("without a database the API does not answer 200").atMost(Duration.ofSeconds(90))
                .until(() -> Http.status(url + "/api/trips/") != 200);

        stack.refreshAndUp();
        assertThat(kube.persistentVolumeClaims().inNamespace(ns).withName(claim).get().getSpec().getVolumeName())
                .as("a new volume").isNotEqualTo(volume);
        assertThat(psql("SELECT count(*) FROM pg_tables WHERE tablename = 'trips_trip'")).as("the new database is empty")
                .isEqualTo("0");

        String restored = user("bash", "scripts/db-restore.sh", "--namespace", ns, "--yes", backup).orFail();
        printed.add(restored);
        System.out.println("[it] " + Command.tail(restored, 2));
        String password = new String(Base64.getDecoder().decode(kube.secrets().inNamespace(ns)
                .withName(AppSecrets.APP_SECRET).get().getData().get(AppSecrets.DB_PASSWORD_KEY)), StandardCharsets.UTF_8);
        assertThat(String.join("\n", printed)).as("backup and restore output").doesNotContain(password);

        assertThat(rowsDigest()).as("the " + tripsBefore + " trips' rows with their destinations").isEqualTo(rowsBefore);
        await("the backend is Ready again (its migrations came back with the restore)").atMost(Duration.ofSeconds(120))
                .until(() -> Integer.valueOf(env.localConfig("backendReplicas")).equals(kube.apps().deployments()
                        .inNamespace(ns).withName(Backend.NAME).get().getStatus().getReadyReplicas()));
        await("GET /api/trips/ through frontendUrl is byte-identical to before").atMost(Duration.ofSeconds(30))
                .ignoreExceptions().untilAsserted(() -> assertThat(apiDigest()).isEqualTo(apiBefore));
        var after = Http.json(Http.postJson(url + "/api/trips/", TripJson.trip("after the restore", 1, destination)));
        assertThat(after.getAsJsonObject().get("id").getAsInt()).as("sequences restored").isGreaterThan(maxIdBefore);
    }
}
