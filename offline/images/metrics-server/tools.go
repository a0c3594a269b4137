//go:build tools

// Package tools pins sigs.k8s.io/metrics-server/cmd/metrics-server in go.mod;
// offline/images.sh builds it with `go build sigs.k8s.io/metrics-server/cmd/metrics-server`.
package tools

import _ "sigs.k8s.io/metrics-server/cmd/metrics-server"
