package com.travelapp.infra;

import com.pulumi.Context;
import com.pulumi.Pulumi;
import com.pulumi.core.Output;
import com.pulumi.resources.ComponentResourceOptions;
import com.travelapp.infra.backend.Backend;
import com.travelapp.infra.backup.DatabaseBackup;
import com.travelapp.infra.cluster.AppNamespace;
import com.travelapp.infra.configuration.AppConfig;
import com.travelapp.infra.configuration.AppSecrets;
import com.travelapp.infra.database.Database;
import com.travelapp.infra.frontend.Frontend;
import com.travelapp.infra.monitoring.Grafana;
import com.travelapp.infra.monitoring.Monitoring;
import com.travelapp.infra.monitoring.Prometheus;
import com.travelapp.infra.settings.Autoscaling;
import com.travelapp.infra.settings.BackupSettings;
import com.travelapp.infra.settings.GrafanaSettings;
import com.travelapp.infra.settings.Settings;
import com.travelapp.infra.settings.SettingsReader;
import com.travelapp.infra.settings.StackConfigKeys;
import com.travelapp.infra.settings.Workload;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Logger;

/**
 * The Travel App stack. Data flows one way: stack config, read and validated once into
 * {@link Settings}, then the tiers in dependency order, then the stack outputs.
 */
public final class App {
    /** The {@code grafanaUrl} output when {@code grafanaEnabled} is false. */
    public static final String GRAFANA_NOT_DEPLOYED = "not deployed (grafanaEnabled=false)";
    /** The DatabaseBackup component's Pulumi name. */
    private static final String BACKUP = "backup";

    /** Each workload's pods by their {@code app.kubernetes.io/name}, for the {@code from} of {@code extraEgress}. */
    static final Map<Workload, String> POD_NAMES = Map.of(
            Workload.FRONTEND, Frontend.NAME,
            Workload.BACKEND, Backend.NAME,
            Workload.MIGRATIONS, Backend.MIGRATIONS,
            Workload.DATABASE, Database.NAME,
            Workload.BACKUP, DatabaseBackup.NAME,
            Workload.PROMETHEUS, Prometheus.NAME,
            Workload.GRAFANA, Grafana.NAME);

    /** Held because java.util.logging keeps loggers weakly: a collected one would forget its setting. */
    private static final Logger SDK_LOGGER = Logger.getLogger("com.pulumi");

    private App() {}

    public static void main(String[] args) {
        reportErrorsOnlyThroughTheEngine();
        Pulumi.run(App::stack);
    }

    /**
     * A stale jar or an invalid or unknown config key stops the program here, before any resource
     * exists, with one error and no stack trace (both throw the SDK's RunException).
     */
    public static void stack(Context ctx) {
        StaleJarCheck.requireCurrentJar();
        stack(ctx, SettingsReader.read(ctx.config(), StackConfigKeys.fromEnvironment()));
    }

    /**
     * The SDK sends every error to the engine, which shows it, and also logs it through
     * java.util.logging to stderr, which the Java language host prints after a failed run: the
     * same text again under a timestamp line. The engine's copy is the one users read; the SDK's
     * own debugging switch, PULUMI_JAVA_LOG_VERBOSE, keeps the stderr copy.
     */
    static void reportErrorsOnlyThroughTheEngine() {
        var verbose = System.getenv("PULUMI_JAVA_LOG_VERBOSE");
        if (verbose == null || !Set.of("1", "t", "true").contains(verbose.toLowerCase(Locale.ROOT))) {
            SDK_LOGGER.setUseParentHandlers(false);
        }
    }

    /** Declares the whole architecture from already-validated settings (what the unit tests call). */
    public static void stack(Context ctx, Settings settings) {
        var parentless = ComponentResourceOptions.builder().build();
        var namespace = new AppNamespace("namespace", settings.namespace(), settings.ownsNamespace(),
                settings.network(), POD_NAMES, parentless);
        var ns = namespace.name();
        var after = ComponentResourceOptions.builder().dependsOn(namespace).build();

        var secrets = new AppSecrets("secrets", settings.monitoring().grafana(), ns, after);
        var database = new Database("database", settings.database(),
                new Database.Inputs(ns, secrets.appSecretName(), databaseClients(settings.backup())), after);
        var config = new AppConfig("config", settings.backend(),
                new AppConfig.Inputs(ns, database.connection(), Backend.NAME), after);
        var backend = new Backend("backend", settings.backend(),
                new Backend.Inputs(ns, config.name(), config.checksum(), secrets.appSecretName(),
                        secrets.appSecretVersion(), database.statefulSet()),
                after);
        var frontend = new Frontend("frontend", settings.frontend(),
                new Frontend.Inputs(ns, backend.serviceName(), Backend.PORT), after);
        var monitoring = new Monitoring("monitoring", settings.monitoring(),
                new Monitoring.Inputs(ns, secrets.grafanaAdmin().map(AppSecrets.GrafanaAdmin::secretName)), after);
        var backup = settings.backup().enabled()
                ? Optional.of(new DatabaseBackup(BACKUP, settings.backup(),
                        new DatabaseBackup.Inputs(ns, database.connection(), secrets.appSecretName()), after))
                : Optional.<DatabaseBackup>empty();

        ctx.export("namespace", ns);
        ctx.export("frontendUrl", frontend.url());
        ctx.export("frontendServiceType", Output.of(settings.frontend().serviceType().name()));
        ctx.export("backendHost", host(backend.serviceName(), ns));
        ctx.export("databaseHost", host(database.serviceName(), ns));
        ctx.export("prometheusNodePort", Output.of(settings.monitoring().prometheus().nodePort()));
        ctx.export("prometheusUrl", Output.of(monitoring.prometheusUrl()));
        exportGrafana(ctx, settings.monitoring().grafana(), monitoring.grafanaUrl(), secrets.grafanaAdmin());
        exportReplicas(ctx, "frontend", settings.frontend().replicas(), settings.frontend().autoscaling());
        exportReplicas(ctx, "backend", settings.backend().replicas(), settings.backend().autoscaling());
        ctx.export("databaseReplicas", Output.of(1));
        exportBackup(ctx, settings.backup(), backup);
    }

    /**
     * The backend's pods, and the backup's when it is deployed. The backup's rule was declared by
     * the DatabaseBackup component until the Database took over every rule to postgres.
     */
    private static List<Database.Clients> databaseClients(BackupSettings backup) {
        var clients = new ArrayList<>(List.of(Database.Clients.of(Backend.DATABASE_CLIENTS)));
        if (backup.enabled()) {
            clients.add(new Database.Clients(List.of(DatabaseBackup.NAME),
                    Optional.of(new Database.Component(DatabaseBackup.TYPE, BACKUP))));
        }
        return clients;
    }

    /**
     * Without Grafana only {@code grafanaUrl} is exported, saying why: a port, user or password of a
     * Grafana that does not exist would be a lie, and a sentence where a number belongs breaks scripts.
     */
    private static void exportGrafana(Context ctx, GrafanaSettings grafana, Optional<String> url,
                                      Optional<AppSecrets.GrafanaAdmin> admin) {
        if (url.isEmpty()) {
            ctx.export("grafanaUrl", Output.of(GRAFANA_NOT_DEPLOYED));
            return;
        }
        ctx.export("grafanaNodePort", Output.of(grafana.nodePort()));
        ctx.export("grafanaUrl", Output.of(url.get()));
        ctx.export("grafanaAdminUser", Output.of(grafana.adminUser()));
        ctx.export("grafanaAdminPassword", admin.orElseThrow().password());
    }

    /**
     * A fixed count as {@code <tier>Replicas}; with an autoscaler, the range it keeps the tier in,
     * {@code <tier>MinReplicas} and {@code <tier>MaxReplicas}, instead: the count of the moment is the
     * autoscaler's ({@code kubectl get hpa}), and one exported at the last {@code pulumi up} would soon
     * be false. Like Grafana's outputs, left out rather than given another meaning.
     */
    private static void exportReplicas(Context ctx, String tier, int replicas, Autoscaling autoscaling) {
        if (autoscaling.enabled()) {
            ctx.export(tier + "MinReplicas", Output.of(replicas));
            ctx.export(tier + "MaxReplicas", Output.of(autoscaling.maxReplicas()));
        } else {
            ctx.export(tier + "Replicas", Output.of(replicas));
        }
    }

    /** Like Grafana's: without backups there is no schedule, retention or volume to name. */
    private static void exportBackup(Context ctx, BackupSettings settings, Optional<DatabaseBackup> backup) {
        backup.ifPresent(declared -> {
            ctx.export("backupSchedule", Output.of(settings.schedule()));
            ctx.export("backupRetention", Output.of(settings.retention()));
            ctx.export("backupVolume", declared.volumeClaimName());
        });
    }

    private static Output<String> host(Output<String> serviceName, Output<String> namespace) {
        return Output.tuple(serviceName, namespace).applyValue(t -> t.t1 + "." + t.t2 + ".svc");
    }
}
