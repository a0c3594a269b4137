// Command pulumi-tfgen-random generates the random provider's Pulumi schema and
// bridge metadata (`pulumi-tfgen-random schema --out randomprovider`).
package main

import (
	pftfgen "github.com/pulumi/pulumi-terraform-bridge/v3/pkg/pf/tfgen"

	"travel-app/tools/random-provider/randomprovider"
)

func main() {
	pftfgen.Main("random", randomprovider.Provider())
}
