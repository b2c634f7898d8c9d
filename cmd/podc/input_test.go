package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCompileInputIsBounded: input beyond --max-input-bytes is refused with
// exit 2 and a clear message, from an endless device, a stream or a file.
func TestCompileInputIsBounded(t *testing.T) {
	big := filepath.Join(t.TempDir(), "big.json")
	if err := os.WriteFile(big, []byte(`{"name": "x"}`+strings.Repeat(" ", 5<<20)), 0o644); err != nil {
		t.Fatal(err)
	}
	small := filepath.Join(t.TempDir(), "small.yaml")
	if err := os.WriteFile(small, []byte("name: x\ncontainers:\n  - name: web\n    image: nginx:1.27.3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, stdin string
		args        []string
		msg         string
	}{
		{"endless device", "", []string{"-f", "/dev/zero"}, "/dev/zero: more than --max-input-bytes 4194304"},
		{"large stream", strings.Repeat("#", 17<<20), []string{"-f", "-"}, "standard input: more than --max-input-bytes 4194304"},
		{"large file", "", []string{"-f", big}, "big.json: 5242893 bytes, more than --max-input-bytes 4194304"},
		{"own bound", "", []string{"-f", small, "--max-input-bytes", "10"}, "more than --max-input-bytes 10"},
		{"bad bound", "", []string{"-f", small, "--max-input-bytes", "0"}, "must be more than 0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errs := run(t, tc.stdin, append([]string{"compile"}, tc.args...)...)
			if code != exitUsage {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, exitUsage, errs)
			}
			if out != "" {
				t.Errorf("stdout is not empty:\n%s", out)
			}
			if !strings.Contains(errs, tc.msg) {
				t.Errorf("stderr does not say %q:\n%s", tc.msg, errs)
			}
			if strings.Contains(errs, "unexpected EOF") {
				t.Errorf("a cut input reported as a decode error:\n%s", errs)
			}
		})
	}
	if code, _, errs := run(t, "", "compile", "-f", small, "--max-input-bytes", "100"); code != exitOK {
		t.Errorf("a file within the bound: exit %d\n%s", code, errs)
	}
}

// TestCompileRefusesAmbiguousYAML: duplicate keys and several documents are
// refused (exit 1) with the field path and the YAML position.
func TestCompileRefusesAmbiguousYAML(t *testing.T) {
	for _, tc := range []struct{ name, in, line string }{
		{"duplicate key", "name: x\ncontainers:\n  - name: web\n    image: nginx:1.27.3\n    image: nginx:1.28.0\n",
			`containers[0].image: duplicate key "image": first at 4:5 (at 5:5)`},
		{"several documents", "name: x\ncontainers:\n  - name: web\n    image: nginx:1.27.3\n---\nname: y\n",
			"(intent): several YAML documents: an intent is one document, and another starts at 6:1"},
		{"error position", "name: x\ncontainers:\n  - name: web\n    image: nginx:1.27.3\n    pullPolicy: sometimes\n",
			`containers[0].pullPolicy: invalid value for enum field pullPolicy: "sometimes"; want one of PULL_POLICY_ALWAYS, PULL_POLICY_IF_NOT_PRESENT, PULL_POLICY_NEVER (at 5:17)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errs := run(t, tc.in, "compile", "-f", "-")
			if code != exitRefused || out != "" {
				t.Errorf("exit %d, stdout %q; want 1 and nothing", code, out)
			}
			if !strings.Contains(errs, "\n"+tc.line+"\n") {
				t.Errorf("stderr has no line %q:\n%s", tc.line, errs)
			}
		})
	}
}
