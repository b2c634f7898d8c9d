package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/podc-dev/podc/internal/hostile"
)

// TestHostileCorpus runs every case of the hostile corpus that has a file
// form through podc compile: each gets its exit code, nothing on stdout,
// and for a refused intent a line on stderr that starts with the field
// path and holds the message.
func TestHostileCorpus(t *testing.T) {
	cases := hostile.Cases()
	if len(cases) < 60 {
		t.Fatalf("the corpus has %d cases, want at least 60", len(cases))
	}
	dir := t.TempDir()
	ran := 0
	for _, c := range cases {
		if c.Input == nil {
			continue // no file form
		}
		ran++
		t.Run(c.Name, func(t *testing.T) {
			file := filepath.Join(dir, c.Name)
			if err := os.WriteFile(file, c.Input, 0o644); err != nil {
				t.Fatal(err)
			}
			code, out, errs := run(t, "", "compile", "-f", file)
			shown := errs[:min(len(errs), 500)]
			if code != c.Exit {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, c.Exit, shown)
			}
			if out != "" {
				t.Errorf("stdout is not empty: %d bytes", len(out))
			}
			if len(errs) > 20000 {
				t.Errorf("a %d-byte stderr", len(errs))
			}
			if c.Exit == exitUsage {
				if !strings.Contains(errs, c.Message) {
					t.Errorf("stderr does not say %q:\n%s", c.Message, shown)
				}
				return
			}
			prefix := c.Field
			if prefix == "" {
				prefix = "(intent)"
			}
			for _, line := range strings.Split(errs, "\n") {
				if strings.HasPrefix(line, prefix+": ") && strings.Contains(line, c.Message) {
					return
				}
			}
			t.Errorf("no stderr line starts with %q and mentions %q:\n%s", prefix+": ", c.Message, shown)
		})
	}
	if ran < 60 {
		t.Errorf("only %d cases ran through the CLI", ran)
	}
}
