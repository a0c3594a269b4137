package com.travelapp.infra;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.pulumi.exceptions.RunException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StaleJarCheckTest {
    private static final Instant BUILT = Instant.parse("2026-11-23T12:00:00Z");

    @TempDir
    Path project;

    private Path jar;

    private Path file(String relative, Instant modified) throws IOException {
        Path path = project.resolve(relative);
        Files.createDirectories(path.getParent());
        Files.writeString(path, relative);
        Files.setLastModifiedTime(path, FileTime.from(modified));
        return path;
    }

    private void checkout(Instant sourcesModified) throws IOException {
        file("pom.xml", sourcesModified);
        file("src/main/java/com/travelapp/infra/App.java", sourcesModified);
        file("sdks/random/src/main/java/com/pulumi/random/RandomPassword.java", sourcesModified);
        jar = file("target/travel-app.jar", BUILT);
    }

    @Test
    void aJarBuiltAfterEverySourceIsCurrent() throws IOException {
        checkout(BUILT.minusSeconds(60));
        assertEquals(Optional.empty(), StaleJarCheck.newerSource(jar, project));
    }

    @Test
    void aSourceEditedAfterTheBuildMakesTheJarStaleAndIsNamed() throws IOException {
        checkout(BUILT.minusSeconds(60));
        file("src/main/java/com/travelapp/infra/backend/Backend.java", BUILT.plusSeconds(5));
        assertEquals(Optional.of(Path.of("src/main/java/com/travelapp/infra/backend/Backend.java")),
                StaleJarCheck.newerSource(jar, project));
    }

    @Test
    void aChangedPomOrGeneratedSdkAlsoMakesTheJarStale() throws IOException {
        checkout(BUILT.minusSeconds(60));
        file("pom.xml", BUILT.plusSeconds(1));
        assertEquals(Optional.of(Path.of("pom.xml")), StaleJarCheck.newerSource(jar, project));

        checkout(BUILT.minusSeconds(60));
        file("sdks/random/src/main/resources/plugin.json", BUILT.plusSeconds(1));
        assertEquals(Optional.of(Path.of("sdks/random/src/main/resources/plugin.json")),
                StaleJarCheck.newerSource(jar, project));
    }

    @Test
    void testSourcesDoNotMakeTheJarStale() throws IOException {
        checkout(BUILT.minusSeconds(60));
        file("src/test/java/com/travelapp/infra/AppTest.java", BUILT.plusSeconds(5));
        assertEquals(Optional.empty(), StaleJarCheck.newerSource(jar, project));
    }

    @Test
    void aJarOutsideACheckoutIsNotJudged() throws IOException {
        Path copied = file("elsewhere/travel-app.jar", BUILT);
        file("src/main/java/com/travelapp/infra/App.java", BUILT.plusSeconds(5));
        assertEquals(Optional.empty(), StaleJarCheck.newerSource(copied, project),
                "no pom.xml beside the sources: not our build to judge");
    }

    @Test
    void aStaleJarStopsTheProgramWithARunExceptionNamingTheJarTheNewerFileAndTheRebuildCommand() throws IOException {
        checkout(BUILT.minusSeconds(60));
        file("pom.xml", BUILT.plusSeconds(1));
        var error = assertThrows(RunException.class, () -> StaleJarCheck.requireCurrent(jar, project));
        assertEquals("target/travel-app.jar is older than pom.xml, so Pulumi would run an outdated build of the"
                + " program (Pulumi.yaml runtime.options.binary). Rebuild it with 'mvn -q -B package -DskipTests'"
                + " (scripts/deploy.sh does this), then run pulumi again.", error.getMessage());
    }

    @Test
    void aCurrentJarLetsTheProgramRun() throws IOException {
        checkout(BUILT.minusSeconds(60));
        assertDoesNotThrow(() -> StaleJarCheck.requireCurrent(jar, project));
    }
}
