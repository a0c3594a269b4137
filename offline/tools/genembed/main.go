// Command genembed writes the minified, versioned schema-embed.json and
// terraform-mapping-embed.json that a provider's main package go:embeds, from the
// schema.json (and optionally terraform-mapping.json) committed in the provider
// module. It mirrors what upstream `go generate` does.
//
// Usage: genembed -version 4.x.y -schema in/schema.json -out dir [-tfmapping in/terraform-mapping.json]
package main

import (
	"encoding/json"
	"flag"
	"log"
	"os"
	"path/filepath"

	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
)

func main() {
	version := flag.String("version", "", "provider version to stamp into the schema")
	schemaPath := flag.String("schema", "", "path of the committed schema.json")
	tfMapping := flag.String("tfmapping", "", "path of the committed terraform-mapping.json (optional)")
	out := flag.String("out", ".", "output directory")
	flag.Parse()
	if *version == "" || *schemaPath == "" {
		log.Fatal("genembed: -version and -schema are required")
	}

	contents, err := os.ReadFile(*schemaPath)
	if err != nil {
		log.Fatal(err)
	}
	var spec schema.PackageSpec
	if err := json.Unmarshal(contents, &spec); err != nil {
		log.Fatalf("genembed: cannot deserialize schema: %v", err)
	}
	spec.Version = *version
	versioned, err := json.Marshal(spec)
	if err != nil {
		log.Fatalf("genembed: cannot reserialize schema: %v", err)
	}
	write(filepath.Join(*out, "schema-embed.json"), versioned)

	if *tfMapping != "" {
		raw, err := os.ReadFile(*tfMapping)
		if err != nil {
			log.Fatal(err)
		}
		var mapping interface{}
		if err := json.Unmarshal(raw, &mapping); err != nil {
			log.Fatalf("genembed: cannot deserialize terraform mapping: %v", err)
		}
		minified, err := json.Marshal(mapping)
		if err != nil {
			log.Fatal(err)
		}
		write(filepath.Join(*out, "terraform-mapping-embed.json"), minified)
	}
}

func write(path string, data []byte) {
	// Only rewrite when the content changed, so go build's cache stays warm.
	if old, err := os.ReadFile(path); err == nil && string(old) == string(data) {
		return
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		log.Fatal(err)
	}
}
