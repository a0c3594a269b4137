// Package randomprovider maps the Terraform random provider onto the Pulumi
// `random` package with pulumi-terraform-bridge, using the same resource tokens
// as pulumi-random (random:index/randomPassword:RandomPassword, ...).
//
// It stands in for github.com/pulumi/pulumi-random/provider/v4, of which our
// module proxy serves no version (see docs/tools.md).
package randomprovider

import (
	"context"
	_ "embed"
	"fmt"
	"unicode"

	pftfbridge "github.com/pulumi/pulumi-terraform-bridge/v3/pkg/pf/tfbridge"
	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"

	"github.com/terraform-providers/terraform-provider-random/shim"
)

// Version is set with -ldflags "-X travel-app/tools/random-provider/randomprovider.Version=...".
var Version = "4.11.2"

// bridge-metadata.json and schema.json are written into this directory by
// pulumi-tfgen-random (scripts/tools.sh runs it), then embedded by the provider.

//go:embed bridge-metadata.json
var bridgeMetadata []byte

// Schema is the generated Pulumi package schema (schema-embed.json: minified, versioned).
//
//go:embed schema-embed.json
var Schema []byte

func resourceToken(name string) tokens.Type {
	file := string(unicode.ToLower(rune(name[0]))) + name[1:]
	return tokens.Type("random:index/" + file + ":" + name)
}

// Provider returns the bridge configuration of the random provider.
func Provider() tfbridge.ProviderInfo {
	return tfbridge.ProviderInfo{
		Name:        "random",
		P:           pftfbridge.ShimProvider(shim.NewProvider()),
		Version:     Version,
		Description: "A Pulumi package to safely use randomness in Pulumi programs.",
		Keywords:    []string{"pulumi", "random"},
		License:     "Apache-2.0",
		Repository:  "https://github.com/pulumi/pulumi-random",
		Resources: map[string]*tfbridge.ResourceInfo{
			"random_id":       {Tok: resourceToken("RandomId")},
			"random_integer":  {Tok: resourceToken("RandomInteger")},
			"random_password": {Tok: resourceToken("RandomPassword")},
			"random_pet":      {Tok: resourceToken("RandomPet")},
			"random_shuffle":  {Tok: resourceToken("RandomShuffle")},
			"random_string":   {Tok: resourceToken("RandomString")},
			"random_uuid":     {Tok: resourceToken("RandomUuid")},
			"random_uuid4":    {Tok: resourceToken("RandomUuid4")},
			"random_uuid7":    {Tok: resourceToken("RandomUuid7")},
			"random_bytes":    {Tok: resourceToken("RandomBytes"), ComputeID: bytesID},
		},
		MetadataInfo: tfbridge.NewProviderMetadata(bridgeMetadata),
	}
}

// random_bytes has no id attribute: like pulumi-random, use its base64 value.
func bytesID(_ context.Context, state resource.PropertyMap) (resource.ID, error) {
	b, ok := state["base64"]
	if !ok {
		return "", fmt.Errorf("random_bytes: no base64 property in state")
	}
	if b.IsSecret() {
		b = b.SecretValue().Element
	}
	if !b.IsString() {
		return "", fmt.Errorf("random_bytes: base64 is not a string")
	}
	return resource.ID(b.StringValue()), nil
}
