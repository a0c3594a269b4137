//go:build tools

// Package tools pins github.com/prometheus/prometheus/cmd/prometheus (the server) in go.mod;
// scripts/images.sh builds it with `go build github.com/prometheus/prometheus/cmd/prometheus`.
package tools

import _ "github.com/prometheus/prometheus/cmd/prometheus"
