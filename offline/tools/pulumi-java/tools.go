//go:build tools

// Package tools pins the Pulumi Java language host and the Java SDK generator
// so that `go build` in this module always resolves the same versions.
package tools

import (
	_ "github.com/pulumi/pulumi-java/pkg/cmd/pulumi-java-gen"
	_ "github.com/pulumi/pulumi-java/pkg/cmd/pulumi-language-java"
)
