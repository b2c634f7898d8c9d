package main

import (
	"strings"
	"testing"
)

func TestOneLine(t *testing.T) {
	for in, want := range map[string]string{
		"plain text":       "plain text",
		"tab\tkept":        "tab\tkept",
		"a\nb\r\nc":        `a\x0ab\x0d\x0ac`,
		"esc\x1b[31m":      `esc\x1b[31m`,
		"nul\x00":          `nul\x00`,
		"sep\u2028x\u2029": `sep\u2028x\u2029`,
		"c1\u0085":         `c1\x85`,
		"héllo 🙂":          "héllo 🙂",
	} {
		if got := oneLine(in); got != want {
			t.Errorf("oneLine(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestCompileKeepsProblemsOnOneLine: an intent whose values hold line
// breaks cannot forge lines of podc compile's output: every line of stderr
// is the summary, a field path or a warning.
func TestCompileKeepsProblemsOnOneLine(t *testing.T) {
	in := `{"name": "web\nlevel=error", "containers": [{"name": "a", "image": "nginx\r\nrefused: forged"}]}`
	code, _, errs := run(t, in, "compile", "-f", "-")
	if code != exitRefused {
		t.Fatalf("exit %d\n%s", code, errs)
	}
	for _, line := range strings.Split(strings.TrimSuffix(errs, "\n"), "\n") {
		ok := strings.HasPrefix(line, "refused: invalid intent (") || strings.HasPrefix(line, "name: ") ||
			strings.HasPrefix(line, "containers[0].image: ") || strings.HasPrefix(line, "warning: containers[0]")
		if !ok {
			t.Errorf("a line of stderr that is not a problem: %q", line)
		}
	}
}
