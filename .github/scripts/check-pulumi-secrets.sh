#!/usr/bin/env bash
# Fails early, with a message that names what to set, when the Pulumi state backend is not
# configured. Says which backend kind is in use without printing any value (docs/ci-cd.md).
set -euo pipefail

if [ -n "${PULUMI_BACKEND_URL:-}" ]; then
    scheme=${PULUMI_BACKEND_URL%%://*}
    echo "state backend: self-managed (${scheme}://...)"
    if [ -z "${PULUMI_CONFIG_PASSPHRASE:-}" ] && [ -z "${PULUMI_CONFIG_PASSPHRASE_FILE:-}" ]; then
        echo "::error title=Pulumi passphrase missing::PULUMI_BACKEND_URL is set but PULUMI_CONFIG_PASSPHRASE is not: set the repository secret PULUMI_CONFIG_PASSPHRASE (docs/ci-cd.md, Secrets)."
        exit 1
    fi
elif [ -n "${PULUMI_ACCESS_TOKEN:-}" ]; then
    echo "state backend: Pulumi Cloud (PULUMI_ACCESS_TOKEN)"
else
    echo "::error title=Pulumi state backend missing::Set the repository secret PULUMI_BACKEND_URL (with PULUMI_CONFIG_PASSPHRASE) or PULUMI_ACCESS_TOKEN (docs/ci-cd.md, Secrets)."
    exit 1
fi
echo "stack: ${PULUMI_STACK:-dev}"
