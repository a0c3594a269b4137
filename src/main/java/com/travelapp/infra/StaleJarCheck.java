package com.travelapp.infra;

import com.pulumi.exceptions.RunException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Pulumi.yaml runs the prebuilt {@code target/travel-app.jar} (runtime.options.binary) because a
 * preview then starts one JVM instead of Maven twice (docs/benchmarks.md). The price would be that
 * a jar older than its sources deploys yesterday's program without a word: this check refuses to.
 * It stops the program with a {@link RunException}, which the SDK reports as one error without a
 * stack trace, like invalid config.
 */
final class StaleJarCheck {
    /** What the jar is built from, relative to the project root. */
    static final List<String> SOURCES = List.of("pom.xml", "src/main", "sdks/random/src/main");

    private StaleJarCheck() {}

    /**
     * The first source file modified after {@code jar}, when {@code jar} is the build output of the
     * project at {@code projectRoot} (its pom.xml exists); empty when the jar is current or is not
     * ours to judge (copied elsewhere, run outside a checkout).
     */
    static Optional<Path> newerSource(Path jar, Path projectRoot) {
        if (!Files.isRegularFile(jar) || !Files.isRegularFile(projectRoot.resolve("pom.xml"))) {
            return Optional.empty();
        }
        try {
            FileTime built = Files.getLastModifiedTime(jar);
            for (String source : SOURCES) {
                Path root = projectRoot.resolve(source);
                if (!Files.exists(root)) {
                    continue;
                }
                try (Stream<Path> files = Files.walk(root)) {
                    Optional<Path> newer = files.filter(Files::isRegularFile)
                            .filter(file -> modifiedAfter(file, built))
                            .findFirst();
                    if (newer.isPresent()) {
                        return Optional.of(projectRoot.relativize(newer.get()));
                    }
                }
            }
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The message for a stale jar: what is wrong, why it matters, the command that fixes it. */
    static String message(Path jar, Path newerSource) {
        return "target/" + jar.getFileName() + " is older than " + newerSource
                + ", so Pulumi would run an outdated build of the program (Pulumi.yaml runtime.options.binary)."
                + " Rebuild it with 'mvn -q -B package -DskipTests' (scripts/deploy.sh does this), then run pulumi again.";
    }

    /** @throws RunException when {@code jar} is the build output of {@code projectRoot} and older than a source */
    static void requireCurrent(Path jar, Path projectRoot) {
        var newer = newerSource(jar, projectRoot);
        if (newer.isPresent()) {
            throw new RunException(message(jar, newer.get()));
        }
    }

    /** Refuses to go on when this program runs from {@code <project>/target/*.jar} older than its sources. */
    static void requireCurrentJar() {
        Path location;
        try {
            location = Path.of(App.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException | SecurityException | NullPointerException e) {
            return; // no code source to judge: not run from our jar
        }
        Path target = location.getParent();
        if (!location.toString().endsWith(".jar") || target == null || target.getParent() == null
                || !"target".equals(String.valueOf(target.getFileName()))) {
            return; // Maven's exec:java (target/classes) or the unit tests
        }
        requireCurrent(location, target.getParent());
    }

    private static boolean modifiedAfter(Path file, FileTime time) {
        try {
            return Files.getLastModifiedTime(file).compareTo(time) > 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
