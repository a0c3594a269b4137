package com.travelapp.infra.settings;

import java.util.Optional;

/** The database tier; {@code name} and {@code user} are the PostgreSQL database and role it creates. */
public record DatabaseSettings(
        String image,
        String imagePullPolicy,
        ComputeResources resources,
        String name,
        String user,
        String storageSize,
        Optional<String> storageClass) {}
