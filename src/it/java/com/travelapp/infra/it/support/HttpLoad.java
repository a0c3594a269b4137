package com.travelapp.infra.it.support;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Steady GET traffic to one URL from a few workers while something changes underneath (a rolling
 * update, a scale-down), counting every request that did not answer 200 in time. Each worker sends
 * its next request when the last one answered (as much load as the app takes), or, paced, after a
 * pause as well (a trickle that keeps checking without adding load). Bounded: it stops when asked,
 * or at its time limit whichever comes first.
 */
public final class HttpLoad implements AutoCloseable {
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

    public record Report(int requests, List<String> failures, double p50Millis, double p99Millis) {
        @Override
        public String toString() {
            return String.format("%d requests, %d failed, p50 %.1f ms, p99 %.1f ms", requests, failures.size(),
                    p50Millis, p99Millis);
        }
    }

    private final ExecutorService workers;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<Long> latenciesNanos = Collections.synchronizedList(new ArrayList<>());
    private final List<String> failures = Collections.synchronizedList(new ArrayList<>());
    private final long deadline;
    private final Duration pause;

    public HttpLoad(String url, int workerCount, Duration limit) {
        this(url, workerCount, limit, Duration.ZERO);
    }

    /** PAUSE between a worker's answer and its next request. */
    public HttpLoad(String url, int workerCount, Duration limit, Duration pause) {
        this.deadline = System.nanoTime() + limit.toNanos();
        this.pause = pause;
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(REQUEST_TIMEOUT).GET().build();
        workers = Executors.newFixedThreadPool(workerCount);
        for (int i = 0; i < workerCount; i++) {
            workers.submit(() -> loop(client, request));
        }
    }

    private void loop(HttpClient client, HttpRequest request) {
        while (running.get() && System.nanoTime() < deadline) {
            long start = System.nanoTime();
            try {
                int status = client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
                if (status != 200) {
                    failures.add("HTTP " + status);
                }
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                failures.add(e.getClass().getSimpleName() + ": " + e.getMessage());
            }
            latenciesNanos.add(System.nanoTime() - start);
            if (!pause.isZero()) {
                try {
                    Thread.sleep(pause.toMillis());
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    /** Stops the workers and reports. */
    public Report stop() {
        running.set(false);
        workers.shutdown();
        try {
            workers.awaitTermination(REQUEST_TIMEOUT.toSeconds() + 5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<Long> sorted;
        synchronized (latenciesNanos) {
            sorted = new ArrayList<>(latenciesNanos);
        }
        Collections.sort(sorted);
        synchronized (failures) {
            return new Report(sorted.size(), List.copyOf(failures), percentile(sorted, 0.50), percentile(sorted, 0.99));
        }
    }

    private static double percentile(List<Long> sorted, double p) {
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        int index = (int) Math.ceil(p * sorted.size()) - 1;
        return sorted.get(Math.max(0, index)) / 1e6;
    }

    @Override
    public void close() {
        running.set(false);
        workers.shutdownNow();
    }
}
