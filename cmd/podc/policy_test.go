package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPolicyVet(t *testing.T) {
	code, out, errs := run(t, "", "policy", "vet", "../../policies")
	if code != 0 || !strings.Contains(out, "ok: 3 profiles") {
		t.Errorf("vet of the default bundle: exit %d\n%s%s", code, out, errs)
	}
	dir := t.TempDir()
	bad := "package p\nprofiles: x: description: \"x\"\nrules: r: {profiles: [\"x\"], severity: \"block\", stage: \"intent\", message: \"m\", description: \"d\"}\n"
	if err := os.WriteFile(filepath.Join(dir, "rules.cue"), []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errs = run(t, "", "policy", "vet", dir)
	if code != 1 || !strings.Contains(errs, "rules.cue:3:") || !strings.Contains(errs, dir) {
		t.Errorf("vet of a broken bundle: exit %d, stderr %q", code, errs)
	}
	// Valid CUE whose rule fails on every intent compiles, but fails its
	// evaluation on the smoke set: vet refuses it, naming the rule and its
	// file:line.
	failing := "package p\nprofiles: x: description: \"x\"\nrules: \"x.sum\": {profiles: [\"x\"], severity: \"deny\", stage: \"intent\", message: \"m\", description: \"d\",\n\tviolations: [if intent.replicas + \"a\" == 1 {field: \"replicas\"}]}\n"
	if err := os.WriteFile(filepath.Join(dir, "rules.cue"), []byte(failing), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errs = run(t, "", "policy", "vet", dir)
	if code != 1 || !strings.Contains(errs, "rules.cue:3:") || !strings.Contains(errs, "x.sum") || !strings.Contains(errs, "smoke input examples/") {
		t.Errorf("vet of a bundle whose rule fails to evaluate: exit %d, stderr %q", code, errs)
	}
	if code, _, _ := run(t, "", "policy", "vet"); code != 2 {
		t.Errorf("vet without DIR: exit %d, want 2", code)
	}
}

func TestPolicyTest(t *testing.T) {
	code, out, errs := run(t, "", "policy", "test", "../../policies")
	if code != 0 || !strings.Contains(out, "PASS tests/restricted-checkout.txtar") || !strings.HasSuffix(out, " passed, 0 failed\n") {
		t.Errorf("test of the default bundle: exit %d\n%s%s", code, out, errs)
	}

	dir := t.TempDir()
	rules := `package p
profiles: baseline: description: "b"
rules: "b.name": {profiles: ["baseline"], severity: "warn", stage: "intent", message: "m", description: "d",
	violations: [if intent.name == "bad" {field: "name"}]}
`
	cases := map[string]string{
		"rules.cue":        rules,
		"tests/ok.txtar":   "-- intent.json --\n{\"name\": \"bad\", \"containers\": [{\"name\": \"a\", \"image\": \"nginx:1\"}]}\n-- want --\nwarn b.name name\n",
		"tests/fail.txtar": "-- intent.json --\n{\"name\": \"good\", \"containers\": [{\"name\": \"a\", \"image\": \"nginx:1\"}]}\n-- want --\nwarn b.name name\n",
	}
	for name, src := range cases {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	code, out, _ = run(t, "", "policy", "test", dir)
	if code != 1 || !strings.Contains(out, "PASS tests/ok.txtar") || !strings.Contains(out, "FAIL tests/fail.txtar") ||
		!strings.Contains(out, "- warn b.name name") || !strings.HasSuffix(out, "1 passed, 1 failed\n") {
		t.Errorf("exit %d\n%s", code, out)
	}
}
