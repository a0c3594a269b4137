//go:build tools

// Package tools pins the Cilium that scripts/tools.sh builds for the local node's
// NetworkPolicy enforcement: the agent, its CNI plugin (chained after the bridge
// plugin) and cilium-dbg. Calico, the first choice, cannot be built here: its
// monorepo needs github.com/projectcalico/api, which our proxy refuses (docs/tools.md).
package tools

import (
	_ "github.com/cilium/cilium/cilium-dbg"
	_ "github.com/cilium/cilium/daemon"
	_ "github.com/cilium/cilium/plugins/cilium-cni"
)
