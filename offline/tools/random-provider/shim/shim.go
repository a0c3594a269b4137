// Package shim exposes the terraform-provider-random framework provider.
package shim

import (
	tfpf "github.com/hashicorp/terraform-plugin-framework/provider"

	"github.com/terraform-providers/terraform-provider-random/internal/provider"
)

// NewProvider returns the Terraform random provider (plugin framework).
func NewProvider() tfpf.Provider {
	return provider.New()
}
