// Command pulumi-resource-random serves the bridged random provider.
package main

import (
	"context"

	pftfbridge "github.com/pulumi/pulumi-terraform-bridge/v3/pkg/pf/tfbridge"

	"travel-app/tools/random-provider/randomprovider"
)

func main() {
	pftfbridge.Main(context.Background(), "random", randomprovider.Provider(),
		pftfbridge.ProviderMetadata{PackageSchema: randomprovider.Schema})
}
