#!/usr/bin/env bash
# The local cluster's stand-ins for a cloud: started (and stopped, by PID) by
# scripts/local-cluster.sh. Every second it
#  - gives each LoadBalancer Service without one an ingress address
#    (127.0.1.N: loopback, so nothing ever leaves the machine), as a cloud
#    controller manager would;
#  - provisions a hostPath PersistentVolume, pre-bound, for each Pending claim
#    of StorageClass "standard" (provisioner local-cluster.travel-app/hostpath);
#  - deletes those volumes once Released.
# Env: KUBECTL, KUBECONFIG, STATE (the cluster's state dir).
set -uo pipefail
: "${KUBECTL:?}" "${KUBECONFIG:?}" "${STATE:?}"
export KUBECONFIG
PROVISIONER=local-cluster.travel-app/hostpath
next_ip=1
trap 'exit 0' TERM INT

while true; do
  # LoadBalancer addresses
  while read -r ns name; do
    [ -n "$name" ] || continue
    ip="127.0.1.$next_ip"; next_ip=$(( next_ip % 250 + 1 ))
    "$KUBECTL" patch service -n "$ns" "$name" --subresource=status --type=merge \
      -p "{\"status\":{\"loadBalancer\":{\"ingress\":[{\"ip\":\"$ip\",\"ipMode\":\"VIP\"}]}}}" >/dev/null &&
      echo "service $ns/$name: loadBalancer ingress $ip"
  done < <("$KUBECTL" get services -A -o json 2>/dev/null | jq -r '.items[]
      | select(.spec.type == "LoadBalancer" and (((.status.loadBalancer.ingress) // []) | length) == 0)
      | "\(.metadata.namespace) \(.metadata.name)"')

  # Volumes for pending claims of our StorageClass
  classes="$("$KUBECTL" get storageclass -o json 2>/dev/null | jq -c --arg p "$PROVISIONER" \
      '[.items[] | select(.provisioner == $p) | .metadata.name]')"
  while read -r claim; do
    [ -n "$claim" ] || continue
    pv="$(jq -n --argjson c "$claim" --arg state "$STATE" --arg p "$PROVISIONER" '{
      apiVersion: "v1", kind: "PersistentVolume",
      metadata: {name: ("pvc-" + $c.metadata.uid),
                 labels: {"local-cluster.travel-app/provisioned": "true"},
                 annotations: {"pv.kubernetes.io/provisioned-by": $p}},
      spec: {capacity: {storage: $c.spec.resources.requests.storage},
             accessModes: $c.spec.accessModes,
             volumeMode: ($c.spec.volumeMode // "Filesystem"),
             persistentVolumeReclaimPolicy: "Delete",
             storageClassName: $c.spec.storageClassName,
             claimRef: {apiVersion: "v1", kind: "PersistentVolumeClaim",
                        namespace: $c.metadata.namespace, name: $c.metadata.name, uid: $c.metadata.uid},
             hostPath: {path: ($state + "/volumes/pvc-" + $c.metadata.uid), type: "DirectoryOrCreate"}}}')"
    # World-writable like other local provisioners' directories: the pod's fsGroup does not
    # apply to hostPath volumes, and PostgreSQL runs as a non-root UID.
    dir="$(jq -r .spec.hostPath.path <<<"$pv")"
    mkdir -p "$dir" && chmod 0777 "$dir"
    printf '%s' "$pv" | "$KUBECTL" create -f - >/dev/null 2>&1 &&
      echo "claim $(jq -r '.metadata.namespace + "/" + .metadata.name' <<<"$claim"): volume provisioned"
  done < <("$KUBECTL" get pvc -A -o json 2>/dev/null | jq -c --argjson classes "${classes:-[]}" '.items[]
      | select(.status.phase == "Pending" and ((.spec.volumeName // "") == "")
               and ((.spec.storageClassName // "") as $s | $classes | index($s)))')

  # Reclaim released volumes
  "$KUBECTL" get pv -l local-cluster.travel-app/provisioned=true -o json 2>/dev/null |
    jq -r '.items[] | select(.status.phase == "Released" or .status.phase == "Failed") | .metadata.name' |
    while read -r pv; do
      "$KUBECTL" delete pv "$pv" --wait=false >/dev/null 2>&1 && echo "volume $pv deleted"
    done
  sleep 1 &
  wait $!
done
