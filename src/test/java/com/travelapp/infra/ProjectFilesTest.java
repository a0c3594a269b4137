package com.travelapp.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.travelapp.infra.settings.ConfigKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/** The files a user reads and edits agree with the code. */
class ProjectFilesTest {
    private static String read(String path) throws IOException {
        return Files.readString(Path.of(path));
    }

    @Test
    void theReadmeDocumentsEveryConfigKeyWithItsDefaultAndAllowedValues() throws IOException {
        var readme = read("README.md");
        for (var key : ConfigKey.values()) {
            var defaultCell = key.defaultValue() == null ? "*(unset)*" : "`" + key.defaultValue() + "`";
            var row = "| `" + key.key() + "` | " + defaultCell + " | " + key.allowed() + " |";
            assertTrue(readme.contains(row), "README.md lacks the row: " + row);
        }
    }

    /**
     * Pulumi.yaml declares, the reader reads and the README documents the same keys in the same
     * order, and Pulumi.yaml's description and default are ConfigKey's (a key whose absence means
     * something of its own is declared with an empty default: the CLI requires a key without one).
     */
    @Test
    void pulumiYamlTheSettingsReaderAndTheReadmeDeclareTheSameConfigKeys() throws IOException {
        Map<String, Object> project = new Yaml().load(read("Pulumi.yaml"));
        @SuppressWarnings("unchecked")
        var declared = (Map<String, Map<String, Object>>) project.get("config");
        var readme = read("README.md");
        var table = readme.substring(readme.indexOf("## Configuration"), readme.indexOf("## Stack outputs"));
        var documented = table.lines().filter(line -> line.startsWith("| `"))
                .map(line -> line.substring(3, line.indexOf('`', 3))).toList();
        var read = Arrays.stream(ConfigKey.values()).map(ConfigKey::key).toList();

        assertEquals(read, List.copyOf(declared.keySet()), "Pulumi.yaml config: against ConfigKey");
        assertEquals(read, documented, "README.md's Configuration table against ConfigKey");
        for (var key : ConfigKey.values()) {
            var declaration = declared.get(key.key());
            var object = key.isObject();
            assertEquals(object ? "object" : "string", declaration.get("type"), key.key());
            assertEquals(key.allowed(), declaration.get("description"), key.key());
            var unset = object ? Map.of() : "";
            assertEquals(key.defaultValue() == null ? unset : key.defaultValue(), declaration.get("default"), key.key());
        }
    }

    @Test
    void theDevStackSetsEveryKeyThatHasADefaultToThatDefault() throws IOException {
        Map<String, Object> stack = new Yaml().load(read("Pulumi.dev.yaml"));
        @SuppressWarnings("unchecked")
        var config = (Map<String, Object>) stack.get("config");
        var expected = new HashMap<String, String>();
        for (var key : ConfigKey.values()) {
            if (key.defaultValue() != null) {
                expected.put("travel-app:" + key.key(), key.defaultValue());
            }
        }
        var actual = new HashMap<String, String>();
        config.forEach((k, v) -> actual.put(k, String.valueOf(v)));
        assertEquals(expected, actual);
    }

    @Test
    void theReadmeOutputsTableSaysWhatGrafanaOutputsAreWhenGrafanaIsDisabled() throws IOException {
        var readme = read("README.md");
        var outputs = readme.substring(readme.indexOf("## Stack outputs"), readme.indexOf("## Operating it"));
        assertTrue(outputs.contains("`" + App.GRAFANA_NOT_DEPLOYED + "`"), "README's Stack outputs lack the disabled grafanaUrl");
    }

    @Test
    void theDevStackHoldsNoSecret() throws IOException {
        var text = read("Pulumi.dev.yaml").toLowerCase();
        assertFalse(text.contains("secure:"), "no secret belongs in Pulumi.dev.yaml: pulumi-random generates them");
        assertFalse(text.matches("(?s).*(password|secretkey|token)\\w*:.*"), "a secret-looking key in Pulumi.dev.yaml");
        assertFalse(text.contains("encryptionsalt:"),
                "an encryption salt belongs to one passphrase; committed, it locks out everyone else's");
    }

    @Test
    void theProjectIsTravelAppOnTheJavaRuntime() throws IOException {
        Map<String, Object> project = new Yaml().load(read("Pulumi.yaml"));
        assertEquals("travel-app", project.get("name"));
        assertEquals("java", project.get("runtime") instanceof Map<?, ?> m ? m.get("name") : project.get("runtime"));
    }

    @Test
    void pulumiRunsTheJarThatMavenPackageBuilds() throws IOException {
        Map<String, Object> project = new Yaml().load(read("Pulumi.yaml"));
        var runtime = (Map<?, ?>) project.get("runtime");
        var options = (Map<?, ?>) runtime.get("options");
        var finalName = java.util.regex.Pattern.compile("<finalName>([^<]+)</finalName>").matcher(read("pom.xml"));
        assertTrue(finalName.find(), "pom.xml names the shaded jar with <finalName>");
        assertEquals("target/" + finalName.group(1) + ".jar", options.get("binary"));
    }
}
