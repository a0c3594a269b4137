package com.travelapp.infra.kube;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Files the program ships in its jar and deploys as-is (monitoring configuration, the backup
 * pods' scripts): kept as real files under src/main/resources, so they are reviewed, linted and
 * tested as what they are, not as Java strings.
 */
public final class JarFiles {
    private JarFiles() {}

    /** The text of resource {@code path}; a missing one means a broken build, said as such. */
    public static String text(String path) {
        try (InputStream in = JarFiles.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + path + " (is the jar complete?)");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
