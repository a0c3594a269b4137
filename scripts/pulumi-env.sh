# shellcheck shell=bash
# Source me: `source scripts/pulumi-env.sh`
# Puts the tools built by scripts/tools.sh first on PATH, so the Pulumi CLI
# finds the Java language host and the kubernetes/random providers there
# (ambient plugins) and never downloads one; disables update checks and plugin
# acquisition; uses a local file:// backend in a temporary directory and a
# passphrase unless the caller set their own; points KUBECONFIG at the local
# cluster (scripts/local-cluster.sh) when it is up and none is set.
_pe_repo="$(cd "$(dirname "${BASH_SOURCE[0]:-$0}")/.." && pwd)"
# shellcheck source=scripts/lib/tools-dir.sh
source "$_pe_repo/scripts/lib/tools-dir.sh"
_pe_tools="$TOOLS_DIR"
case ":$PATH:" in
  *":$_pe_tools/bin:"*) ;;
  *) export PATH="$_pe_tools/bin:$PATH" ;;
esac
export PULUMI_SKIP_UPDATE_CHECK=true
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
if [ -z "${PULUMI_BACKEND_URL:-}" ]; then
  PULUMI_LOCAL_STATE_DIR="$(mktemp -d "${TMPDIR:-/tmp}/pulumi-state.XXXXXX")"
  export PULUMI_LOCAL_STATE_DIR
  export PULUMI_BACKEND_URL="file://$PULUMI_LOCAL_STATE_DIR"
fi
if [ -z "${PULUMI_CONFIG_PASSPHRASE:-}" ] && [ -z "${PULUMI_CONFIG_PASSPHRASE_FILE:-}" ]; then
  export PULUMI_CONFIG_PASSPHRASE="local-test-passphrase"
fi
_pe_kc="${LOCAL_CLUSTER_DIR:-$_pe_tools/cluster}/kubeconfig"
if [ -z "${KUBECONFIG:-}" ] && [ -f "$_pe_kc" ] && [ -f "${_pe_kc%/kubeconfig}/pids/kube-apiserver" ] &&
   kill -0 "$(cat "${_pe_kc%/kubeconfig}/pids/kube-apiserver")" 2>/dev/null; then
  export KUBECONFIG="$_pe_kc"
fi
unset _pe_repo _pe_tools _pe_kc
