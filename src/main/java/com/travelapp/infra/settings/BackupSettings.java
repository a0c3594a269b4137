package com.travelapp.infra.settings;

import java.util.Optional;

/**
 * The scheduled {@code pg_dump} of the database to a volume of its own.
 *
 * @param enabled false declares no backup object at all; the other values are then unused
 * @param schedule a cron schedule, read in UTC
 * @param retention how many of the newest backups the volume keeps
 * @param image the database's image, so that pg_dump is never older than the server
 */
public record BackupSettings(
        boolean enabled,
        String schedule,
        int retention,
        String storageSize,
        Optional<String> storageClass,
        String image,
        String imagePullPolicy,
        ComputeResources resources) {}
