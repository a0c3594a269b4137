package com.travelapp.infra.settings;

/**
 * Requests and limits of one container, as Kubernetes quantities. Ephemeral storage is the node's
 * disk the container uses outside volumes of its own: its writable layer and its log files, and,
 * counted against the pod's total (the sum of its containers' limits), the pod's emptyDirs.
 */
public record ComputeResources(String cpuRequest, String memoryRequest, String cpuLimit, String memoryLimit,
                               String ephemeralStorageRequest, String ephemeralStorageLimit) {}
