#!/usr/bin/env bash
# Selects (creating if needed) the stack and applies the settings of a deploy to a local kind
# cluster: the commit-tagged images loaded into kind, pulled only if not present, and no wait
# for a LoadBalancer address that kind never assigns. Writes Pulumi.<stack>.yaml in the
# working tree only; the committed file keeps the documented defaults.
# Usage: stack-settings.sh STACK IMAGE_TAG
set -euo pipefail

stack=${1:?usage: stack-settings.sh STACK IMAGE_TAG}
tag=${2:?usage: stack-settings.sh STACK IMAGE_TAG}

pulumi stack select "$stack" --create --non-interactive
pulumi config set --stack "$stack" travel-app:loadBalancerAvailable false
pulumi config set --stack "$stack" travel-app:imagePullPolicy IfNotPresent
pulumi config set --stack "$stack" travel-app:backendImage "travel-app/backend:${tag}"
pulumi config set --stack "$stack" travel-app:frontendImage "travel-app/frontend:${tag}"
echo "stack ${stack}: images travel-app/{backend,frontend}:${tag}, imagePullPolicy IfNotPresent, loadBalancerAvailable false"
