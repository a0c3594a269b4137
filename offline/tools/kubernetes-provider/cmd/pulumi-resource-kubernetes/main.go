// Command pulumi-resource-kubernetes is the Kubernetes provider's main package,
// rebuilt here because upstream's go:embeds files that are generated at build
// time (schema-embed.json, terraform-mapping-embed.json) and not in the module
// zip. scripts/tools.sh produces both with internal/genembed from the module's
// committed schema.json / terraform-mapping.json before `go build`.
package main

import (
	_ "embed"

	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/provider"
	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version"
)

var providerName = "kubernetes"

//go:embed schema-embed.json
var pulumiSchema []byte

//go:embed terraform-mapping-embed.json
var terraformMapping []byte

func main() {
	provider.Serve(providerName, version.Version, pulumiSchema, terraformMapping)
}
