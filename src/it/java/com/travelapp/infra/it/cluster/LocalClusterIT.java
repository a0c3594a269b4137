package com.travelapp.infra.it.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.travelapp.infra.backend.Backend;
import com.travelapp.infra.frontend.Frontend;
import com.travelapp.infra.it.support.Http;
import com.travelapp.infra.it.support.Integration;
import com.travelapp.infra.it.support.ItEnvironment;
import com.travelapp.infra.it.support.LocalCluster;
import com.travelapp.infra.it.support.Pods;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The local cluster (scripts/local-cluster.sh) behaves like a real one for our stack, on its real
 * node, before the stack is put on it: restricted pods run as real containers, Services route by
 * DNS, NodePort and LoadBalancer address, a claim's data outlives its pod, a killed container is
 * restarted, and the API server refuses what it must refuse. Each test uses objects of its own in
 * a namespace of its own, labelled for Pod Security "restricted" like the stack's.
 */
@Order(1)
@ExtendWith(Integration.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 3, unit = java.util.concurrent.TimeUnit.MINUTES)
class LocalClusterIT {
    private static final String NAMESPACE = "cluster-it";
    private static final String RESTRICTED = """
              securityContext:
                runAsNonRoot: true
                runAsUser: %d
                allowPrivilegeEscalation: false
                capabilities: {drop: [ALL]}
                seccompProfile: {type: RuntimeDefault}
            """.formatted(Backend.UID);

    private LocalCluster cluster;
    private KubernetesClient kube;
    private String image;

    @BeforeAll
    void namespace(ItEnvironment env) {
        cluster = env.cluster();
        kube = cluster.client();
        // Any image built here with Python in it: the pods' web server and client.
        image = env.localConfig("backendImage");
        kube.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE)
                .addToLabels("pod-security.kubernetes.io/enforce", "restricted")
                .addToLabels("pod-security.kubernetes.io/enforce-version", "latest")
                .endMetadata().build()).serverSideApply();
        await("the namespace's default ServiceAccount").atMost(Duration.ofSeconds(30))
                .until(() -> kube.serviceAccounts().inNamespace(NAMESPACE).withName("default").get() != null);
        apply("""
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: web}
                spec:
                  replicas: 2
                  selector: {matchLabels: {app: web}}
                  template:
                    metadata: {labels: {app: web}}
                    spec:
                      terminationGracePeriodSeconds: 2
                      containers:
                        - name: web
                          image: %s
                          imagePullPolicy: Never
                          command: [python, -m, http.server, "8080", --directory, /app]
                          ports: [{containerPort: 8080}]
                          readinessProbe: {httpGet: {path: /manage.py, port: 8080}, periodSeconds: 2}
                %s
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: web}
                spec:
                  selector: {app: web}
                  ports: [{port: 80, targetPort: 8080}]
                """.formatted(image, RESTRICTED.indent(8)));
    }

    @AfterAll
    void removeNamespace() {
        if (kube != null) {
            kube.namespaces().withName(NAMESPACE).delete();
        }
    }

    private void apply(String yaml) {
        kube.load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8))).inNamespace(NAMESPACE).serverSideApply();
    }

    private void awaitWebReady() {
        await("Deployment web has 2 Ready pods").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1))
                .untilAsserted(() -> assertThat(kube.apps().deployments().inNamespace(NAMESPACE).withName("web").get()
                        .getStatus().getReadyReplicas()).isEqualTo(2));
    }

    @Test
    @Order(1)
    void aRestrictedTwoReplicaDeploymentRunsTwoRealContainersThatAreReady() {
        awaitWebReady();
        var pods = kube.pods().inNamespace(NAMESPACE).withLabel("app", "web").list().getItems();
        assertThat(pods).hasSize(2).allSatisfy(pod -> {
            assertThat(Pods.firstContainer(pod).getContainerID()).startsWith("containerd://");
            assertThat(Pods.firstContainer(pod).getReady()).isTrue();
        });
    }

    @Test
    @Order(2)
    void aPodReachesAClusterIpServiceByItsClusterDnsName() {
        awaitWebReady();
        String pod = kube.pods().inNamespace(NAMESPACE).withLabel("app", "web").list().getItems().get(0)
                .getMetadata().getName();
        String url = "http://web." + NAMESPACE + ".svc.cluster.local/manage.py";
        await("GET " + url + " from a pod").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1))
                .untilAsserted(() -> assertThat(Pods.exec(kube, NAMESPACE, pod, "python", "-c",
                        "import urllib.request as u; print(u.urlopen('" + url + "', timeout=5).status)").stdout().strip())
                        .isEqualTo("200"));
    }

    @Test
    @Order(3)
    void aLoadBalancerServiceGetsAnAddressThatRoutesAndItsNodePortAnswersOnLoopback() {
        awaitWebReady();
        apply("""
                apiVersion: v1
                kind: Service
                metadata: {name: web-lb}
                spec:
                  type: LoadBalancer
                  selector: {app: web}
                  ports: [{port: 8088, targetPort: 8080, nodePort: 30999}]
                """);
        String address = await("the LoadBalancer Service gets an address").atMost(Duration.ofSeconds(30))
                .until(() -> {
                    var ingress = kube.services().inNamespace(NAMESPACE).withName("web-lb").get().getStatus()
                            .getLoadBalancer().getIngress();
                    return ingress == null || ingress.isEmpty() ? null : ingress.get(0).getIp();
                }, ip -> ip != null && !ip.isEmpty());
        await("the NodePort answers on 127.0.0.1:30999").atMost(Duration.ofSeconds(30))
                .until(() -> Http.status("http://127.0.0.1:30999/manage.py") == 200);
        await("the LoadBalancer address " + address + ":8088 routes to the pods").atMost(Duration.ofSeconds(30))
                .until(() -> Http.status("http://" + address + ":8088/manage.py") == 200);
    }

    @Test
    @Order(4)
    void aNodePortOutsideTheDefaultRangeIsRejected() {
        assertThatThrownBy(() -> apply("""
                apiVersion: v1
                kind: Service
                metadata: {name: web-np-out}
                spec:
                  type: NodePort
                  selector: {app: web}
                  ports: [{port: 80, targetPort: 8080, nodePort: 40090}]
                """)).isInstanceOf(KubernetesClientException.class)
                .hasMessageContaining("provided port is not in the valid range");
    }

    @Test
    @Order(5)
    void aTwoGiClaimBindsAndANonRootContainersDataOutlivesItsPod() {
        apply("""
                apiVersion: apps/v1
                kind: StatefulSet
                metadata: {name: db}
                spec:
                  serviceName: db
                  replicas: 1
                  selector: {matchLabels: {app: db}}
                  template:
                    metadata: {labels: {app: db}}
                    spec:
                      terminationGracePeriodSeconds: 2
                      containers:
                        - name: db
                          image: %s
                          imagePullPolicy: Never
                          command: [sh, -c, 'date +%%s%%N >>/data/starts && exec sleep 100000']
                          volumeMounts: [{name: data, mountPath: /data}]
                %s
                  volumeClaimTemplates:
                    - metadata: {name: data}
                      spec:
                        accessModes: [ReadWriteOnce]
                        resources: {requests: {storage: 2Gi}}
                """.formatted(image, RESTRICTED.indent(8)));
        await("the 2Gi claim data-db-0 is Bound").atMost(Duration.ofSeconds(30))
                .until(() -> {
                    var claim = kube.persistentVolumeClaims().inNamespace(NAMESPACE).withName("data-db-0").get();
                    return claim != null && "Bound".equals(claim.getStatus().getPhase());
                });
        await("db-0 is Ready").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
                .until(() -> Integer.valueOf(1).equals(kube.apps().statefulSets().inNamespace(NAMESPACE).withName("db").get()
                        .getStatus().getReadyReplicas()));
        String firstUid = kube.pods().inNamespace(NAMESPACE).withName("db-0").get().getMetadata().getUid();
        kube.pods().inNamespace(NAMESPACE).withName("db-0").delete();
        await("the replacement db-0 finds the first pod's data (2 starts recorded)").atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofSeconds(1)).ignoreExceptions()
                .untilAsserted(() -> {
                    Pod pod = kube.pods().inNamespace(NAMESPACE).withName("db-0").get();
                    assertThat(pod.getMetadata().getUid()).isNotEqualTo(firstUid);
                    assertThat(Pods.exec(kube, NAMESPACE, "db-0", "sh", "-c", "wc -l </data/starts").stdout().strip())
                            .isEqualTo("2");
                });
    }

    @Test
    @Order(6)
    void aContainerKilledOnTheHostIsRestartedAndReadyAgain() {
        awaitWebReady();
        Pod victim = kube.pods().inNamespace(NAMESPACE).withLabel("app", "web").list().getItems().get(0);
        int restarts = Pods.firstContainer(victim).getRestartCount();
        long pid = cluster.hostPid(Pods.firstContainer(victim).getContainerID());
        ProcessHandle.of(pid).orElseThrow().destroyForcibly();
        await("the kubelet restarts the container killed with SIGKILL (host pid " + pid + ")")
                .atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1))
                .untilAsserted(() -> {
                    var status = Pods.firstContainer(kube.pods().inNamespace(NAMESPACE)
                            .withName(victim.getMetadata().getName()).get());
                    assertThat(status.getRestartCount()).isGreaterThan(restarts);
                    assertThat(status.getReady()).isTrue();
                });
    }

    @Test
    @Order(7)
    void aPodViolatingRestrictedIsRejectedAndNotCreated() {
        assertThatThrownBy(() -> apply("""
                apiVersion: v1
                kind: Pod
                metadata: {name: privileged}
                spec:
                  containers:
                    - name: c
                      image: %s
                      securityContext: {privileged: true}
                """.formatted(image))).isInstanceOf(KubernetesClientException.class)
                .hasMessageContaining("violates PodSecurity \"restricted:latest\"");
        assertThat(kube.pods().inNamespace(NAMESPACE).withName("privileged").get()).isNull();
    }

    @Test
    @Order(8)
    void theFrontendImageRefusesToStartWithoutTheBackendsAddress(ItEnvironment env) {
        apply("""
                apiVersion: v1
                kind: Pod
                metadata: {name: frontend-without-backend}
                spec:
                  restartPolicy: Never
                  containers:
                    - name: frontend
                      image: %s
                      imagePullPolicy: Never
                      securityContext:
                        runAsNonRoot: true
                        runAsUser: %d
                        runAsGroup: %d
                        readOnlyRootFilesystem: true
                        allowPrivilegeEscalation: false
                        capabilities: {drop: [ALL]}
                        seccompProfile: {type: RuntimeDefault}
                      volumeMounts: [{name: tmp, mountPath: /tmp}, {name: conf, mountPath: /etc/nginx/conf.d}]
                  volumes: [{name: tmp, emptyDir: {}}, {name: conf, emptyDir: {}}]
                """.formatted(env.localConfig("frontendImage"), Frontend.UID, Frontend.GID));
        var pod = kube.pods().inNamespace(NAMESPACE).withName("frontend-without-backend");
        await("the frontend container exits").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
                .until(() -> "Failed".equals(pod.get().getStatus().getPhase()));
        assertThat(pod.getLog()).contains("BACKEND_HOST is not set");
    }
}
