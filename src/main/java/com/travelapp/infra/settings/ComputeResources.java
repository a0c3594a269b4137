package com.travelapp.infra.settings;

/** Requests and limits of one container, as Kubernetes quantities. */
public record ComputeResources(String cpuRequest, String memoryRequest, String cpuLimit, String memoryLimit) {}
