//go:build tools

// Package tools pins the CoreDNS that scripts/tools.sh builds for the local
// node's cluster DNS (the kubelet's clusterDNS points at it).
package tools

import _ "github.com/coredns/coredns"
