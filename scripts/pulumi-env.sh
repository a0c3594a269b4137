# shellcheck shell=bash
# Source me: `source scripts/pulumi-env.sh`
# Puts the tools built by offline/tools.sh first on PATH (the Pulumi CLI and, next to it, the
# Java language host it bundles); installs our kubernetes and random providers into Pulumi's
# plugin cache under the versions they report, and has the CLI resolve them there as installed
# plugins (not as ambient ones from $PATH, each of which printed a warning on every command):
# see docs/tools.md, "How the CLI finds our providers". Disables update checks and plugin
# acquisition; has Pulumi take a stack's passphrase salt from its state when the stack file has
# none (docs/operations.md, "The encryption salt"); uses a local file:// backend in a temporary
# directory and a passphrase unless the caller set their own; points KUBECONFIG at the local
# cluster (scripts/local-cluster.sh) when it is up and none is set.
_pe_repo="$(cd "$(dirname "${BASH_SOURCE[0]:-$0}")/.." && pwd)"
# shellcheck source=scripts/lib/common.sh
source "$_pe_repo/scripts/lib/common.sh"
_pe_tools="$TOOLS_DIR"
case ":$PATH:" in
  *":$_pe_tools/bin:"*) ;;
  *) export PATH="$_pe_tools/bin:$PATH" ;;
esac
export PULUMI_SKIP_UPDATE_CHECK=true
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
export PULUMI_FALLBACK_TO_STATE_SECRETS_MANAGER="${PULUMI_FALLBACK_TO_STATE_SECRETS_MANAGER:-true}"
# Plugins come from the plugin cache (and the language host from beside `pulumi`), never from
# $PATH; the cache is searched the way Pulumi's docs state, "the latest version >= the one asked
# for", so the kubernetes SDK's request for 4.0.0 finds our 4.25.0-alpha build (docs/tools.md).
export PULUMI_IGNORE_AMBIENT_PLUGINS=true
export PULUMI_ENABLE_LEGACY_PLUGIN_SEARCH=true
# _pe_install_plugins: `pulumi plugin install resource NAME VERSION --file BIN` for each provider
# that offline/tools.sh built, VERSION being what the binary reports (its schema's version),
# again only when the binary changed since (size and mtime, recorded beside the cache).
_pe_install_plugins() {
  local pulumi="$_pe_tools/bin/pulumi" cache name bin marker now size mtime version old
  [ -x "$pulumi" ] || return 0
  cache="${PULUMI_HOME:-$HOME/.pulumi}/plugins"
  for name in kubernetes random; do
    bin="$_pe_tools/bin/pulumi-resource-$name"
    [ -x "$bin" ] || continue
    marker="$cache/.travel-app-$name"
    now="$(stat -c '%s %Y' "$bin")"
    old=""
    if [ -f "$marker" ]; then
      read -r size mtime old <"$marker"
      if [ "$size $mtime" = "$now" ] && [ -x "$cache/resource-$name-v$old/pulumi-resource-$name" ]; then
        continue
      fi
    fi
    version="$("$pulumi" package get-schema "$bin" 2>/dev/null |
      python3 -c 'import json, sys; print(json.load(sys.stdin)["version"])' 2>/dev/null)" || version=""
    if [ -z "$version" ]; then
      echo "pulumi-env: $bin reports no version (pulumi package get-schema); not installed as a plugin" >&2
      continue
    fi
    if [ -n "$old" ] && [ "$old" != "$version" ]; then
      "$pulumi" plugin rm resource "$name" "$old" --yes >/dev/null 2>&1 || true
    fi
    if "$pulumi" plugin install resource "$name" "$version" --file "$bin" --reinstall >/dev/null 2>&1; then
      mkdir -p "$cache" && echo "$now $version" >"$marker"
      echo "pulumi-env: installed our $name provider as Pulumi plugin $name $version ($cache)" >&2
    else
      echo "pulumi-env: could not install $bin as plugin $name $version (pulumi plugin install)" >&2
    fi
  done
}
_pe_install_plugins || true
unset -f _pe_install_plugins
if [ -z "${PULUMI_BACKEND_URL:-}" ]; then
  PULUMI_LOCAL_STATE_DIR="$(mktemp -d "${TMPDIR:-/tmp}/pulumi-state.XXXXXX")"
  export PULUMI_LOCAL_STATE_DIR
  export PULUMI_BACKEND_URL="file://$PULUMI_LOCAL_STATE_DIR"
fi
if [ -z "${PULUMI_CONFIG_PASSPHRASE:-}" ] && [ -z "${PULUMI_CONFIG_PASSPHRASE_FILE:-}" ]; then
  export PULUMI_CONFIG_PASSPHRASE="local-test-passphrase"
fi
# The JVMs the Java language host starts from our jar get C1-only JIT and the class-data-sharing
# archive that `mvn package` builds beside it, through a `java` on PATH that adds them to those two
# command lines only (offline/java/java; docs/benchmarks.md, "Preview by default").
case ":$PATH:" in
  *":$_pe_repo/offline/java:"*) ;;
  *) export PATH="$_pe_repo/offline/java:$PATH" ;;
esac
_pe_kc="${LOCAL_CLUSTER_DIR:-$_pe_tools/cluster}/kubeconfig"
if [ -z "${KUBECONFIG:-}" ] && [ -f "$_pe_kc" ] && [ -f "${_pe_kc%/kubeconfig}/pids/kube-apiserver" ] &&
   kill -0 "$(cat "${_pe_kc%/kubeconfig}/pids/kube-apiserver")" 2>/dev/null; then
  export KUBECONFIG="$_pe_kc"
fi
unset _pe_repo _pe_tools _pe_kc
