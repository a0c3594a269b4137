package com.travelapp.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.pulumi.test.PulumiTest;
import com.travelapp.infra.settings.Autoscaling;
import com.travelapp.infra.settings.BackupSettings;
import com.travelapp.infra.settings.ConfigKey;
import com.travelapp.infra.settings.FrontendSettings;
import com.travelapp.infra.settings.InvalidSettingsException;
import com.travelapp.infra.settings.Settings;
import com.travelapp.infra.settings.SettingsReader;
import com.travelapp.infra.settings.StackConfigKeys;
import com.travelapp.infra.settings.Workload;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.mockito.Mockito;

/** The config reader, against a Mockito mock of com.pulumi.Config (PulumiTest cannot inject config). */
class SettingsReaderTest {
    @AfterEach
    void cleanup() {
        PulumiTest.cleanup();
    }

    private static InvalidSettingsException rejected(Map<String, String> values) {
        return assertThrows(InvalidSettingsException.class,
                () -> SettingsReader.read(StackRun.config(values), StackRun.keys(values)));
    }

    @Test
    void anEmptyConfigGivesTheDocumentedDefaults() {
        Settings settings = StackRun.defaults();
        assertEquals("travel-app", settings.namespace());
        assertEquals(2, settings.frontend().replicas());
        assertEquals(2, settings.backend().replicas());
        assertEquals("travel-app/frontend:0.1.0", settings.frontend().image());
        assertEquals("travel-app/backend:0.1.0", settings.backend().image());
        assertEquals(FrontendSettings.ServiceType.LoadBalancer, settings.frontend().serviceType());
        assertEquals(Optional.empty(), settings.frontend().nodePort());
        assertEquals("2Gi", settings.database().storageSize());
        assertEquals(Optional.empty(), settings.database().storageClass());
        assertEquals("travel", settings.database().name());
        assertEquals(30090, settings.monitoring().prometheus().nodePort());
        assertEquals(30300, settings.monitoring().grafana().nodePort());
        assertEquals("15s", settings.monitoring().prometheus().scrapeInterval());
        assertEquals(true, settings.frontend().loadBalancerAvailable());
        assertEquals("IfNotPresent", settings.backend().imagePullPolicy());
        assertEquals(Workload.BACKEND.defaults(), settings.backend().resources());
        assertEquals(new Autoscaling(false, 10, 70, 300), settings.frontend().autoscaling());
        assertEquals(new Autoscaling(false, 10, 70, 300), settings.backend().autoscaling());
    }

    @Test
    void everyTierGetsThePullPolicyAndItsOwnResources() {
        var settings = StackRun.settings(Map.of("imagePullPolicy", "Never", "resources", "{"
                + "\"frontend\":{\"cpuLimit\":\"301m\"},\"backend\":{\"cpuLimit\":\"302m\"},"
                + "\"migrations\":{\"cpuLimit\":\"303m\"},\"database\":{\"cpuLimit\":\"304m\"},"
                + "\"backup\":{\"cpuLimit\":\"305m\"},\"prometheus\":{\"cpuLimit\":\"306m\"},"
                + "\"grafana\":{\"cpuLimit\":\"307m\"}}"));
        var monitoring = settings.monitoring();
        assertEquals(List.of("Never", "Never", "Never", "Never", "Never", "Never"), List.of(
                settings.frontend().imagePullPolicy(), settings.backend().imagePullPolicy(),
                settings.database().imagePullPolicy(), settings.backup().imagePullPolicy(),
                monitoring.prometheus().imagePullPolicy(), monitoring.grafana().imagePullPolicy()));
        assertEquals(List.of("301m", "302m", "303m", "304m", "305m", "306m", "307m"), List.of(
                settings.frontend().resources().cpuLimit(), settings.backend().resources().cpuLimit(),
                settings.backend().migrationResources().cpuLimit(), settings.database().resources().cpuLimit(),
                settings.backup().resources().cpuLimit(), monitoring.prometheus().resources().cpuLimit(),
                monitoring.grafana().resources().cpuLimit()));
    }

    @Test
    void theReaderAsksTheConfigForEveryKeyOnce() {
        for (var values : List.of(Map.<String, String>of(), EVERY_KEY_SET)) {
            var config = StackRun.config(values);
            SettingsReader.read(config, StackRun.keys(values));
            for (var key : ConfigKey.values()) {
                Mockito.verify(config, Mockito.times(1).description(key.key() + " with " + values.size() + " keys set"))
                        .get(key.key());
            }
            Mockito.verify(config, Mockito.times(ConfigKey.values().length).description("no other key is asked for"))
                    .get(Mockito.anyString());
            Mockito.verify(config, Mockito.never()).getInteger(Mockito.anyString());
        }
    }

    /** A valid value other than the default for every key, so that every read path is taken. */
    private static final Map<String, String> EVERY_KEY_SET = Map.ofEntries(
            Map.entry("namespace", "shop"), Map.entry("frontendReplicas", "3"), Map.entry("backendReplicas", "4"),
            Map.entry("frontendAutoscaling", "{\"enabled\":true,\"maxReplicas\":5,\"targetCpuUtilization\":60,"
                    + "\"scaleDownStabilizationSeconds\":120}"),
            Map.entry("backendAutoscaling", "{\"enabled\":\"true\",\"maxReplicas\":\"8\",\"targetCpuUtilization\":\"80\","
                    + "\"scaleDownStabilizationSeconds\":\"30\"}"),
            Map.entry("frontendImage", "travel-app/frontend:0.2.0"), Map.entry("backendImage", "travel-app/backend:0.2.0"),
            Map.entry("databaseImage", "postgres:17.3"), Map.entry("prometheusImage", "prom/prometheus:v3.2.0"),
            Map.entry("grafanaImage", "grafana/grafana:11.5.0"), Map.entry("imagePullPolicy", "Always"),
            Map.entry("frontendServiceType", "NodePort"), Map.entry("frontendNodePort", "30080"),
            Map.entry("loadBalancerAvailable", "false"), Map.entry("nodeAddress", "192.0.2.7"),
            Map.entry("prometheusNodePort", "31090"), Map.entry("grafanaNodePort", "31300"),
            Map.entry("scrapeInterval", "30s"), Map.entry("grafanaEnabled", "true"), Map.entry("grafanaAdminUser", "root"),
            Map.entry("databaseName", "trips"), Map.entry("databaseUser", "trips"), Map.entry("databaseStorageSize", "5Gi"),
            Map.entry("databaseStorageClass", "fast-ssd"), Map.entry("backupEnabled", "true"),
            Map.entry("backupSchedule", "@daily"), Map.entry("backupRetention", "3"), Map.entry("backupStorageSize", "1Gi"),
            Map.entry("backupStorageClass", "slow-hdd"), Map.entry("allowedHosts", "travel.example.com"),
            Map.entry("apiServerEndpoints", "192.0.2.10:6443, [fd00::1]:443"),
            Map.entry("extraEgress", "[{\"cidr\":\"10.0.0.25/32\",\"ports\":[587],\"from\":[\"backend\"]}]"),
            Map.entry("resources", "{\"backend\":{\"memoryLimit\":\"768Mi\"}}"));

    @Test
    void everyKeySetIsValidAndNamesEveryKey() {
        assertEquals(java.util.Arrays.stream(ConfigKey.values()).map(ConfigKey::key).collect(java.util.stream.Collectors.toSet()),
                EVERY_KEY_SET.keySet());
        assertEquals(4, StackRun.settings(EVERY_KEY_SET).backend().replicas());
    }

    @ParameterizedTest(name = "{0} = \"{1}\" is rejected")
    @CsvSource(delimiter = '|', value = {
            "backendReplicas | 0 | backendReplicas = \"0\": must be an integer from 1 to 100",
            "backendReplicas | -1 | backendReplicas = \"-1\": must be an integer from 1 to 100",
            "frontendReplicas | 1000 | frontendReplicas = \"1000\": must be an integer from 1 to 100",
            "backendReplicas | two | backendReplicas = \"two\": must be an integer from 1 to 100",
            "prometheusNodePort | 80 | prometheusNodePort = \"80\": must be an integer from 30000 to 32767",
            "grafanaNodePort | 30090 | grafanaNodePort = \"30090\": must differ from prometheusNodePort (30090)",
            "databaseStorageSize | 2GB | databaseStorageSize = \"2GB\": must be a whole number with Mi, Gi or Ti (e.g. 2Gi)",
            "databaseStorageSize | 100Mi | databaseStorageSize = \"100Mi\": must be at least 256Mi",
            "frontendServiceType | Ingress | frontendServiceType = \"Ingress\": must be LoadBalancer, NodePort or ClusterIP",
            "backendImage | travel app/backend:1.0 | backendImage = \"travel app/backend:1.0\": must be an image reference",
            "backendImage | travel-app/backend | backendImage = \"travel-app/backend\": must name a tag or digest",
            "frontendImage | travel-app/frontend:latest | frontendImage = \"travel-app/frontend:latest\": must not use the ':latest' tag",
            "namespace | Travel_App | namespace = \"Travel_App\": must be a DNS label",
            "namespace | kube-system | namespace = \"kube-system\": must not start with 'kube-'",
            "namespace | a-namespace-name-that-is-much-longer-than-sixty-three-characters-in-total | must be a DNS label",
            "scrapeInterval | 1s | scrapeInterval = \"1s\": must be a duration from 5s to 5m",
            "scrapeInterval | 15 | scrapeInterval = \"15\": must be a duration from 5s to 5m",
            "loadBalancerAvailable | yes | loadBalancerAvailable = \"yes\": must be true or false",
            "imagePullPolicy | sometimes | imagePullPolicy = \"sometimes\": must be IfNotPresent, Always or Never",
            "databaseName | travel-db | databaseName = \"travel-db\": must be a PostgreSQL identifier",
            "databaseUser | 1user | databaseUser = \"1user\": must be a PostgreSQL identifier",
            "allowedHosts | * | allowedHosts = \"*\": must list host names",
            "allowedHosts | travel.example.com, bad host | is not a host name",
            "grafanaAdminUser | admin user | grafanaAdminUser = \"admin user\": must be 1 to 64 letters",
            "databaseStorageClass | Fast_SSD | databaseStorageClass = \"Fast_SSD\": must be a StorageClass name",
            "nodeAddress | http://localhost | nodeAddress = \"http://localhost\": must be a host name or IP address",
            "backupEnabled | yes | backupEnabled = \"yes\": must be true or false; false leaves the scheduled database backup out",
            "backupRetention | 0 | backupRetention = \"0\": must be an integer from 1 to 365",
            "backupRetention | 366 | backupRetention = \"366\": must be an integer from 1 to 365",
            "backupRetention | a week | backupRetention = \"a week\": must be an integer from 1 to 365",
            "backupStorageSize | 2GB | backupStorageSize = \"2GB\": must be a whole number with Mi, Gi or Ti (e.g. 2Gi), at least 64Mi",
            "backupStorageSize | 32Mi | backupStorageSize = \"32Mi\": must be at least 64Mi: anything smaller is almost surely a mistaken unit",
            "backupStorageClass | Slow HDD | backupStorageClass = \"Slow HDD\": must be a StorageClass name",
            "backupSchedule | daily | backupSchedule = \"daily\": must be a cron schedule in UTC",
            "apiServerEndpoints | 192.0.2.10 | apiServerEndpoints = \"192.0.2.10\": must be comma-separated ADDRESS:PORT of the Kubernetes API server",
            "apiServerEndpoints | kubernetes.default:443 | 'kubernetes.default:443' is not an IP address and port",
            "apiServerEndpoints | 192.0.2.10:70000 | '192.0.2.10:70000' is not an IP address and port",
            "apiServerEndpoints | 192.0.2.300:6443 | '192.0.2.300:6443' is not an IP address and port",
            "extraEgress | {\"cidr\":\"10.0.0.25/32\"} | extraEgress = \"{\"cidr\":\"10.0.0.25/32\"}\": must be a list of {cidr, ports, from}",
            "extraEgress | [{\"cidr\":\"10.0.0.25\",\"ports\":[587]}] | extraEgress[0].cidr = \"10.0.0.25\": must end in a prefix length, e.g. 10.0.0.25/32",
            "extraEgress | [{\"cidr\":\"10.0.0.25/24\",\"ports\":[587]}] | extraEgress[0].cidr = \"10.0.0.25/24\": has host bits set below its /24; the network is 10.0.0.0/24",
            "extraEgress | [{\"cidr\":\"fd00::1/64\",\"ports\":[587]}] | the network is fd00:0:0:0:0:0:0:0/64",
            "extraEgress | [{\"cidr\":\"10.0.0.0/33\",\"ports\":[587]}] | extraEgress[0].cidr = \"10.0.0.0/33\": must be an IPv4 or IPv6 CIDR with a prefix length from 0 to 32",
            "extraEgress | [{\"cidr\":\"smtp.example.com/32\",\"ports\":[587]}] | extraEgress[0].cidr = \"smtp.example.com/32\": must be an IPv4 or IPv6 CIDR",
            "extraEgress | [{\"ports\":[587]}] | extraEgress[0].cidr: missing; must be an IPv4 or IPv6 CIDR",
            "extraEgress | [{\"cidr\":\"10.0.0.25/32\"}] | extraEgress[0].ports: missing must be a non-empty list of PORT or PORT/PROTOCOL",
            "extraEgress | [{\"cidr\":\"10.0.0.25/32\",\"ports\":[]}] | extraEgress[0].ports = []: must be a non-empty list",
            "extraEgress | [{\"cidr\":\"10.0.0.25/32\",\"ports\":[70000]}] | extraEgress[0].ports[0] = \"70000\": must be PORT or PORT/PROTOCOL: a port from 1 to 65535",
            "extraEgress | [{\"cidr\":\"10.0.0.25/32\",\"ports\":[\"53/ICMP\"]}] | extraEgress[0].ports[0] = \"53/ICMP\": must be PORT or PORT/PROTOCOL",
            "extraEgress | [{\"cidr\":\"10.0.0.25/32\",\"ports\":[587],\"from\":[\"web\"]}] | extraEgress[0].from: unknown workload \"web\"; allowed: frontend, backend, migrations, database, backup, prometheus, grafana",
            "extraEgress | [{\"cidr\":\"10.0.0.25/32\",\"ports\":[587],\"from\":[]}] | extraEgress[0].from = []: must be a non-empty list of workloads",
            "extraEgress | [{\"cidr\":\"10.0.0.25/32\",\"ports\":[587],\"to\":\"smtp\"}] | extraEgress[0].to: unknown field; allowed: cidr, ports, from",
            "extraEgress | [\"10.0.0.25/32\"] | extraEgress[0] = \"10.0.0.25/32\": must be an object {cidr, ports, from}",
    })
    void eachBadValueIsRejectedWithItsKeyValueAndWhatIsAllowed(String key, String value, String expected) {
        var error = rejected(Map.of(key, value));
        assertEquals(1, error.problems().size(), error.getMessage());
        assertTrue(error.getMessage().contains(expected), error.getMessage());
        assertTrue(error.getMessage().contains("travel-app:" + key), error.getMessage());
    }

    @Test
    void backupsAreOnByDefaultDailyAt2UtcKeepingSevenOnTwoGibibytesOfTheDefaultClass() {
        var backup = StackRun.defaults().backup();
        assertEquals(new BackupSettings(true, "0 2 * * *", 7, "2Gi", Optional.empty(), "postgres:17.2-alpine3.21",
                "IfNotPresent", Workload.BACKUP.defaults()), backup);
        assertEquals(false, StackRun.settings(Map.of("backupEnabled", "false")).backup().enabled());
    }

    @ParameterizedTest(name = "backupSchedule \"{0}\" is accepted")
    @CsvSource(delimiter = '|', value = {"0 2 * * *", "*/15 * * * *", "30 1 1,15 * *", "0 3 * * MON-FRI", "0 0 1 jan *",
            "0-59/5 8-18 * * 1-5", "59 23 31 12 6", "@daily", "@hourly", "@weekly", "@monthly", "@yearly", "@midnight",
            "' 0 2 * * * '"})
    void backupScheduleAcceptsWhatACronJobAccepts(String schedule) {
        assertEquals(schedule, StackRun.settings(Map.of("backupSchedule", schedule)).backup().schedule());
    }

    @ParameterizedTest(name = "backupSchedule \"{0}\" is rejected: {1}")
    @CsvSource(delimiter = '|', value = {
            "0 2 * * | found 4 fields, not 5",
            "0 2 * * * * | found 6 fields, not 5",
            "'' | found 0 fields, not 5",
            "60 2 * * * | minute '60' is not within 0-59",
            "0 24 * * * | hour '24' is not within 0-23",
            "0 2 0 * * | day-of-month '0' is not within 1-31",
            "0 2 * 13 * | month '13' is not within 1-12 (or JAN-DEC)",
            "0 2 * * 7 | day-of-week '7' is not within 0-6 (or SUN-SAT)",
            "0 2 * * FUN | day-of-week 'FUN' is not within 0-6 (or SUN-SAT)",
            "0 5-2 * * * | hour range '5-2' runs backwards",
            "*/0 * * * * | minute step '/0' is not within 1-59",
            "0 2 ** * * | day-of-month '**' is not a value, a range or a step",
            "0 2,,3 * * * | hour '' is not a value, a range or a step",
            "@every 1h | '@every 1h' is not a shorthand this allows",
            "CRON_TZ=Europe/Paris 0 2 * * * | a time zone cannot be named in the schedule: the CronJob runs on UTC",
    })
    void aBadBackupScheduleIsRejectedNamingTheFieldAtFault(String schedule, String reason) {
        var error = rejected(Map.of("backupSchedule", schedule));
        assertEquals(List.of("backupSchedule = \"" + schedule + "\": must be " + ConfigKey.BACKUP_SCHEDULE.allowed() + "; " + reason),
                error.problems());
    }

    @Test
    void withBackupsDisabledABadBackupValueIsStillRejected() {
        var error = rejected(Map.of("backupEnabled", "false", "backupRetention", "0"));
        assertEquals(List.of("backupRetention = \"0\": must be an integer from 1 to 365: how many of the newest backups"
                + " the backup volume keeps"), error.problems());
    }

    @Test
    void grafanaIsEnabledByDefaultAndFalseTurnsItOff() {
        assertEquals(true, StackRun.defaults().monitoring().grafana().enabled());
        assertEquals(true, StackRun.settings(Map.of("grafanaEnabled", "true")).monitoring().grafana().enabled());
        assertEquals(false, StackRun.settings(Map.of("grafanaEnabled", "false")).monitoring().grafana().enabled());
    }

    @ParameterizedTest(name = "grafanaEnabled = \"{0}\" is rejected")
    @CsvSource(delimiter = '|', value = {"yes", "no", "True", "FALSE", "1", "0", "off", "' false'", "''"})
    void grafanaEnabledAcceptsOnlyTrueOrFalse(String value) {
        var error = rejected(Map.of("grafanaEnabled", value));
        assertEquals(List.of("grafanaEnabled = \"" + value + "\": must be true or false; false leaves Grafana out entirely"
                + " (no Deployment, Service, admin Secret or password)"), error.problems());
        assertTrue(error.getMessage().contains("travel-app:grafanaEnabled = \"" + value + "\": must be true or false"),
                error.getMessage());
    }

    @Test
    void withGrafanaDisabledItsUnusedNodePortMayEqualAnotherNodePort() {
        var settings = StackRun.settings(Map.of("grafanaEnabled", "false", "grafanaNodePort", "30090",
                "frontendServiceType", "NodePort", "frontendNodePort", "30300"));
        assertEquals(30090, settings.monitoring().prometheus().nodePort());
        assertEquals(Optional.of(30300), settings.frontend().nodePort());
    }

    @Test
    void withGrafanaDisabledTheOtherNodePortsMustStillDiffer() {
        var error = rejected(Map.of("grafanaEnabled", "false",
                "frontendServiceType", "NodePort", "frontendNodePort", "30090"));
        assertEquals(1, error.problems().size(), error.getMessage());
        assertTrue(error.problems().get(0).startsWith("frontendNodePort = \"30090\": must differ"), error.getMessage());
    }

    @Test
    void withGrafanaDisabledAnOutOfRangeGrafanaNodePortIsStillRejected() {
        var error = rejected(Map.of("grafanaEnabled", "false", "grafanaNodePort", "80"));
        assertEquals(List.of("grafanaNodePort = \"80\": must be an integer from 30000 to 32767, different from the other node ports"),
                error.problems());
    }

    @Test
    void aNodePortOnAClusterIpServiceIsRejected() {
        var error = rejected(Map.of("frontendServiceType", "ClusterIP", "frontendNodePort", "30080"));
        assertEquals(List.of("frontendNodePort = \"30080\": must be unset when frontendServiceType is ClusterIP"
                + " (a ClusterIP Service has no node port)"), error.problems());
    }

    @Test
    void aFrontendNodePortTakenByMonitoringIsRejected() {
        var error = rejected(Map.of("frontendServiceType", "NodePort", "frontendNodePort", "30300"));
        assertTrue(error.problems().get(0).startsWith("frontendNodePort = \"30300\": must differ"), error.getMessage());
    }

    @Test
    void everyBadKeyIsListedInOneMessage() {
        var values = new HashMap<String, String>();
        values.put("backendReplicas", "0");
        values.put("frontendReplicas", "two");
        values.put("prometheusNodePort", "80");
        values.put("databaseStorageSize", "2GB");
        values.put("frontendServiceType", "Ingress");
        var error = rejected(values);
        assertEquals(5, error.problems().size(), error.getMessage());
        assertTrue(error.getMessage().startsWith("Invalid stack configuration: 5 problems, nothing was deployed."), error.getMessage());
        for (var key : values.keySet()) {
            assertTrue(error.getMessage().contains("travel-app:" + key + " = \"" + values.get(key) + "\""), key);
        }
    }

    @Test
    void anInvalidNodePortDoesNotAlsoReportAClash() {
        var error = rejected(Map.of("prometheusNodePort", "80", "grafanaNodePort", "80"));
        assertEquals(2, error.problems().size(), error.getMessage());
        assertTrue(error.problems().stream().allMatch(p -> p.contains("must be an integer from 30000 to 32767")), error.getMessage());
    }

    @Test
    void resourcesOverrideOnlyWhatTheyName() {
        var settings = StackRun.settings(Map.of("resources", "{\"backend\":{\"memoryLimit\":\"1Gi\",\"cpuRequest\":\"250m\"}}"));
        var backend = settings.backend().resources();
        assertEquals("1Gi", backend.memoryLimit());
        assertEquals("250m", backend.cpuRequest());
        assertEquals(Workload.BACKEND.defaults().memoryRequest(), backend.memoryRequest());
        assertEquals(Workload.FRONTEND.defaults(), settings.frontend().resources());
    }

    @Test
    void ephemeralStorageIsReadLikeCpuAndMemoryAndOverridesOnlyWhatItNames() {
        var settings = StackRun.settings(Map.of("resources",
                "{\"prometheus\":{\"ephemeralStorageLimit\":\"10Gi\"},\"grafana\":{\"ephemeralStorageRequest\":\"100M\"}}"));
        var prometheus = settings.monitoring().prometheus().resources();
        assertEquals("10Gi", prometheus.ephemeralStorageLimit());
        assertEquals(Workload.PROMETHEUS.defaults().ephemeralStorageRequest(), prometheus.ephemeralStorageRequest());
        assertEquals(Workload.PROMETHEUS.defaults().memoryLimit(), prometheus.memoryLimit());
        assertEquals("100M", settings.monitoring().grafana().resources().ephemeralStorageRequest());
    }

    @ParameterizedTest(name = "resources {0} is rejected")
    @CsvSource(delimiter = '|', value = {
            "{\"backend\":{\"memoryLimit\":\"lots\"}} | resources.backend.memoryLimit = \"lots\": must be a memory quantity",
            "{\"backend\":{\"cpuRequest\":\"2\",\"cpuLimit\":\"1\"}} | resources.backend.cpuRequest = \"2\": must not exceed the limit (1)",
            "{\"backend\":{\"memoryRequest\":\"2Gi\"}} | resources.backend.memoryRequest = \"2Gi\": must not exceed the limit (512Mi)",
            "{\"cache\":{\"cpuLimit\":\"1\"}} | resources.cache: unknown workload; allowed: frontend, backend, migrations, database, backup, prometheus, grafana",
            "{\"backend\":{\"cpu\":\"1\"}} | resources.backend.cpu: unknown field; allowed: cpuRequest, memoryRequest, cpuLimit, memoryLimit, ephemeralStorageRequest, ephemeralStorageLimit",
            "{\"backend\":{\"ephemeralStorageLimit\":\"lots\"}} | resources.backend.ephemeralStorageLimit = \"lots\": must be a storage quantity such as 256Mi or 2Gi",
            "{\"frontend\":{\"ephemeralStorageRequest\":\"2GB\"}} | resources.frontend.ephemeralStorageRequest = \"2GB\": must be a storage quantity such as 64Mi or 1Gi",
            "{\"backend\":{\"ephemeralStorageRequest\":\"1Gi\"}} | resources.backend.ephemeralStorageRequest = \"1Gi\": must not exceed the limit (192Mi)",
            "{\"database\":{\"ephemeralStorageRequest\":\"64Mi\",\"ephemeralStorageLimit\":\"32Mi\"}} | resources.database.ephemeralStorageRequest = \"64Mi\": must not exceed the limit (32Mi)",
            "not json | resources = \"not json\": must be an object",
    })
    void badResourcesAreRejectedWithThePathOfTheBadValue(String json, String expected) {
        var error = rejected(Map.of("resources", json));
        assertEquals(1, error.problems().size(), error.getMessage());
        assertTrue(error.getMessage().contains(expected), error.getMessage());
    }

    @Test
    void invalidConfigStopsTheProgramBeforeAnyResourceIsRegistered() {
        var values = Map.of("backendReplicas", "0", "databaseStorageSize", "2GB");
        var config = StackRun.config(values);
        var run = StackRun.run(ctx -> App.stack(ctx, SettingsReader.read(config, StackRun.keys(values))), Optional.empty());
        assertEquals(List.of(), run.resources, "resources were registered");
        assertTrue(run.result.exceptions().stream().anyMatch(e -> e instanceof InvalidSettingsException
                || e.getCause() instanceof InvalidSettingsException), run.result.exceptions().toString());
    }

    @Test
    void theMessageListsEveryProblemThenTheFixExactly() {
        var values = new HashMap<String, String>();
        values.put("backendReplicas", "0");
        values.put("databaseStorageSize", "2GB");
        values.put("backendReplica", "5");
        assertEquals("""
                Invalid stack configuration: 3 problems, nothing was deployed.
                  - travel-app:backendReplica: unknown key; did you mean backendReplicas?
                  - travel-app:backendReplicas = "0": must be an integer from 1 to 100
                  - travel-app:databaseStorageSize = "2GB": must be a whole number with Mi, Gi or Ti (e.g. 2Gi), at least 256Mi
                Fix with 'pulumi config set <key> <value>' (or 'pulumi config rm <key>' for the default or to remove an unknown key).""",
                rejected(values).getMessage());
    }

    @Test
    void theSdkReportsInvalidConfigToTheEngineOnceAsJustTheMessageAndExitsWith32() {
        var values = Map.of("backendReplicas", "0");
        var config = StackRun.config(values);
        var run = StackRun.run(ctx -> App.stack(ctx, SettingsReader.read(config, StackRun.keys(values))), Optional.empty());
        assertEquals(List.of("""
                Invalid stack configuration: 1 problem, nothing was deployed.
                  - travel-app:backendReplicas = "0": must be an integer from 1 to 100
                Fix with 'pulumi config set <key> <value>' (or 'pulumi config rm <key>' for the default or to remove an unknown key)."""),
                run.result.errors(), "no 'unhandled exception' wrapper, no stack trace, no second copy");
        assertEquals(32, run.result.exitCode(), "the SDK's exit code for 'the user was already told'");
        assertEquals(List.of(), run.resources);
    }

    @ParameterizedTest(name = "{0} is unknown: {1}")
    @CsvSource(delimiter = '|', value = {
            "backendReplica | did you mean backendReplicas?",
            "BackendReplicas | did you mean backendReplicas?",
            "frontendReplicaCount | did you mean frontendReplicas?",
            "grafanaAdminUsr | did you mean grafanaAdminUser?",
            "storageClass | did you mean databaseStorageClass or backupStorageClass?",
            "backupSchedul | did you mean backupSchedule?",
            "replicas | did you mean frontendReplicas or backendReplicas?",
            "monitoringEnabled | the known keys are declared in Pulumi.yaml (config:)",
    })
    void anUnknownKeyIsRejectedWithTheClosestKnownKey(String key, String hint) {
        var error = rejected(Map.of(key, "5"));
        assertEquals(List.of(key + ": unknown key; " + hint), error.problems());
    }

    @Test
    void anUnknownKeyIsReportedInTheSameMessageAsBadValues() {
        var error = rejected(Map.of("backendReplica", "5", "frontendReplicas", "0"));
        assertEquals(List.of("backendReplica: unknown key; did you mean backendReplicas?",
                "frontendReplicas = \"0\": must be an integer from 1 to 100"), error.problems());
    }

    @Test
    void keysOfOtherNamespacesAndPathKeysUnderAKnownTopKeyAreAccepted() {
        var values = Map.of("resources", "{\"backend\":{\"memoryLimit\":\"768Mi\"}}");
        var keys = Set.of("travel-app:resources", "kubernetes:context", "random:anything");
        var settings = SettingsReader.read(StackRun.config(values), keys);
        assertEquals("768Mi", settings.backend().resources().memoryLimit());
    }

    @Test
    void emptyValuesOfKeysWithoutADefaultMeanUnset() {
        var settings = StackRun.settings(Map.of("frontendNodePort", "", "databaseStorageClass", "", "allowedHosts", "",
                "resources", "{}"));
        assertEquals(Optional.empty(), settings.frontend().nodePort());
        assertEquals(Optional.empty(), settings.database().storageClass());
        assertEquals(List.of(), settings.backend().extraAllowedHosts());
        assertEquals(Workload.BACKEND.defaults(), settings.backend().resources());
    }

    @Test
    void autoscalingFieldsAreReadWhetherSetByPathAsJsonValuesOrAsStrings() {
        var settings = StackRun.settings(Map.of("frontendAutoscaling", EVERY_KEY_SET.get("frontendAutoscaling"),
                "backendAutoscaling", EVERY_KEY_SET.get("backendAutoscaling"), "frontendReplicas", "3", "backendReplicas", "4"));
        assertEquals(new Autoscaling(true, 5, 60, 120), settings.frontend().autoscaling());
        assertEquals(new Autoscaling(true, 8, 80, 30), settings.backend().autoscaling());
        assertEquals(3, settings.frontend().replicas(), "the replica count stays: it is the autoscaler's minimum");
        assertEquals(4, settings.backend().replicas());
    }

    @Test
    void anAutoscalingObjectSetsOnlyWhatItNames() {
        var settings = StackRun.settings(Map.of("backendAutoscaling", "{\"enabled\":true}"));
        assertEquals(new Autoscaling(true, 10, 70, 300), settings.backend().autoscaling());
        assertEquals(Autoscaling.DEFAULTS, settings.frontend().autoscaling());
        assertEquals(new Autoscaling(false, 10, 70, 45),
                StackRun.settings(Map.of("frontendAutoscaling", "{\"scaleDownStabilizationSeconds\":45}")).frontend().autoscaling());
    }

    @ParameterizedTest(name = "{0} {1} is rejected")
    @CsvSource(delimiter = '|', value = {
            "backendAutoscaling | {\"enabled\":\"yes\"} | backendAutoscaling.enabled = \"yes\": must be true or false",
            "backendAutoscaling | {\"enabled\":1} | backendAutoscaling.enabled = \"1\": must be true or false",
            "backendAutoscaling | {\"maxReplicas\":1} | backendAutoscaling.maxReplicas = \"1\": must be an integer from 2 to 100: the most pods the autoscaler may run",
            "backendAutoscaling | {\"maxReplicas\":101} | backendAutoscaling.maxReplicas = \"101\": must be an integer from 2 to 100",
            "backendAutoscaling | {\"maxReplicas\":\"many\"} | backendAutoscaling.maxReplicas = \"many\": must be an integer from 2 to 100",
            "backendAutoscaling | {\"maxReplicas\":6.5} | backendAutoscaling.maxReplicas = \"6.5\": must be an integer from 2 to 100",
            "backendAutoscaling | {\"targetCpuUtilization\":5} | backendAutoscaling.targetCpuUtilization = \"5\": must be an integer from 10 to 100: the average CPU use to aim at, in percent of the pods' CPU request",
            "backendAutoscaling | {\"targetCpuUtilization\":150} | backendAutoscaling.targetCpuUtilization = \"150\": must be an integer from 10 to 100",
            "frontendAutoscaling | {\"targetCpuUtilization\":\"70%\"} | frontendAutoscaling.targetCpuUtilization = \"70%\": must be an integer from 10 to 100",
            "backendAutoscaling | {\"scaleDownStabilizationSeconds\":-1} | backendAutoscaling.scaleDownStabilizationSeconds = \"-1\": must be an integer from 0 to 3600: how many seconds the load must have stayed low before pods are removed",
            "frontendAutoscaling | {\"scaleDownStabilizationSeconds\":3601} | frontendAutoscaling.scaleDownStabilizationSeconds = \"3601\": must be an integer from 0 to 3600",
            "backendAutoscaling | {\"scaleDownStabilizationSeconds\":\"5m\"} | backendAutoscaling.scaleDownStabilizationSeconds = \"5m\": must be an integer from 0 to 3600",
            "backendAutoscaling | {\"minReplicas\":3} | backendAutoscaling.minReplicas: unknown field; the fewest pods is backendReplicas (pulumi config set backendReplicas <n>)",
            "frontendAutoscaling | {\"minReplicas\":3} | frontendAutoscaling.minReplicas: unknown field; the fewest pods is frontendReplicas (pulumi config set frontendReplicas <n>)",
            "backendAutoscaling | {\"maxReplica\":6} | backendAutoscaling.maxReplica: unknown field; allowed: enabled, maxReplicas, targetCpuUtilization, scaleDownStabilizationSeconds",
            "backendAutoscaling | not json | backendAutoscaling = \"not json\": must be an object: backendAutoscaling.enabled = true or false (default false)",
            "frontendAutoscaling | [true] | frontendAutoscaling = \"[true]\": must be an object: frontendAutoscaling.enabled = true or false",
    })
    void badAutoscalingIsRejectedWithThePathOfTheBadValue(String key, String json, String expected) {
        var error = rejected(Map.of(key, json));
        assertEquals(1, error.problems().size(), error.getMessage());
        assertTrue(error.problems().get(0).startsWith(expected), error.getMessage());
        assertTrue(error.getMessage().contains("travel-app:" + expected), error.getMessage());
    }

    @Test
    void withAutoscalingOffABadAutoscalingValueIsStillRejected() {
        var error = rejected(Map.of("backendAutoscaling", "{\"enabled\":false,\"maxReplicas\":500}"));
        assertEquals(List.of("backendAutoscaling.maxReplicas = \"500\": must be an integer from 2 to 100: the most pods the"
                + " autoscaler may run"), error.problems());
    }

    @ParameterizedTest(name = "{0}Replicas 1 is rejected while {0}Autoscaling.enabled is true")
    @CsvSource({"frontend", "backend"})
    void anAutoscaledTierKeepsAtLeastTwoPodsSoThatItsDisruptionBudgetCanLetOneGo(String tier) {
        var error = rejected(Map.of(tier + "Replicas", "1", tier + "Autoscaling", "{\"enabled\":true}"));
        assertEquals(List.of(tier + "Replicas = \"1\": must be at least 2 while " + tier + "Autoscaling.enabled is true: it is"
                + " the fewest pods the autoscaler keeps, and the PodDisruptionBudget (minAvailable 1) lets no node drain"
                + " evict a single one"), error.problems());
    }

    @Test
    void anAutoscalersMaximumBelowTheTiersReplicaCountIsRejected() {
        assertEquals(List.of("backendAutoscaling.maxReplicas = \"4\": must be at least backendReplicas (5), the fewest pods"
                        + " the autoscaler keeps"),
                rejected(Map.of("backendReplicas", "5", "backendAutoscaling", "{\"enabled\":true,\"maxReplicas\":4}")).problems());
        assertEquals(List.of("frontendAutoscaling.maxReplicas = \"10\": must be at least frontendReplicas (20), the fewest"
                        + " pods the autoscaler keeps"),
                rejected(Map.of("frontendReplicas", "20", "frontendAutoscaling", "{\"enabled\":true}")).problems(),
                "the default maximum counts too");
    }

    @Test
    void anAutoscalerMayHaveAsManyPodsAtMostAsAtLeast() {
        var settings = StackRun.settings(Map.of("backendReplicas", "3", "backendAutoscaling", "{\"enabled\":true,\"maxReplicas\":3}"));
        assertEquals(3, settings.backend().autoscaling().maxReplicas());
    }

    @Test
    void withAutoscalingOffTheReplicaCountIsNotCheckedAgainstIt() {
        var settings = StackRun.settings(Map.of("backendReplicas", "1", "frontendReplicas", "20",
                "backendAutoscaling", "{\"enabled\":false,\"maxReplicas\":4}"));
        assertEquals(1, settings.backend().replicas());
        assertEquals(20, settings.frontend().replicas());
    }

    @Test
    void aBadReplicaCountOrMaximumIsReportedOnceNotAlsoAgainstTheOther() {
        assertEquals(List.of("backendReplicas = \"0\": must be an integer from 1 to 100"),
                rejected(Map.of("backendReplicas", "0", "backendAutoscaling", "{\"enabled\":true}")).problems());
        assertEquals(List.of("backendAutoscaling.maxReplicas = \"500\": must be an integer from 2 to 100: the most pods the"
                        + " autoscaler may run"),
                rejected(Map.of("backendReplicas", "5", "backendAutoscaling", "{\"enabled\":true,\"maxReplicas\":500}")).problems());
    }

    @Test
    void theKeysComeFromPulumiConfigAsTheSdkReadsIt() {
        var json = """
                {"travel-app:backendReplica": "5", "travel-app:config:resources": "{\\"backend\\":{}}", "kubernetes:context": "kind"}""";
        assertEquals(Set.of("travel-app:backendReplica", "travel-app:resources", "kubernetes:context"),
                StackConfigKeys.parse(json));
        assertEquals(Set.of(), StackConfigKeys.parse(null));
    }
}
