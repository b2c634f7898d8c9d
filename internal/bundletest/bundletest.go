// Package bundletest writes policy bundles for tests: a platform team's
// own bundle and directories of files.
package bundletest

import (
	"os"
	"path/filepath"
	"testing"
)

// Custom is a platform team's own bundle: one profile, a parameter,
// a helper definition and a rule that reads a label.
const Custom = `package platform

import "list"

profiles: prod: description: "production"
profiles: dev: description: "development"

parameters: registries: ["registry.example.com"]

#Owned: {team: string}

rules: "prod.registry": {
	profiles: ["prod"]
	severity: "deny"
	stage: "intent"
	message: "images come from the platform registry"
	description: "Only parameters.registries."
	violations: [for c in intent.containers if !list.Contains(parameters.registries, c.registry) {
		field: "\(c.path).image"
	}]
}

rules: "dev.owner": {
	profiles: ["dev", "prod"]
	severity: "warn"
	stage: "intent"
	message: "name an owner"
	description: "An owner label."
	violations: [if intent.labels.owner == _|_ {field: "labels[\"owner\"]", message: "no owner label"}]
}
`

// Write writes files (name to contents; names may hold a folder such as
// tests/) into a new temporary directory and returns it.
func Write(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, src := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}
