package hostile

import (
	"strings"
	"testing"

	"google.golang.org/grpc/codes"
)

// TestCases: the corpus is large, its names unique and classed, and every
// case runs somewhere with an answer to check.
func TestCases(t *testing.T) {
	cases := Cases()
	if len(cases) < 60 {
		t.Errorf("%d cases, want at least 60", len(cases))
	}
	seen := map[string]bool{}
	classes := map[string]int{}
	for _, c := range cases {
		if seen[c.Name] {
			t.Errorf("%s: two cases of that name", c.Name)
		}
		seen[c.Name] = true
		class, _, _ := strings.Cut(c.Name, "-")
		classes[class]++
		if c.Input == nil && c.Wire == nil {
			t.Errorf("%s: neither a file nor a wire form", c.Name)
		}
		if c.Input != nil && c.Exit != 1 && c.Exit != 2 {
			t.Errorf("%s: exit %d, want 1 or 2", c.Name, c.Exit)
		}
		if c.Wire != nil && c.Code == codes.OK {
			t.Errorf("%s: raw bytes with no code to expect", c.Name)
		}
		if _, ok := c.Request(); ok && c.Wire == nil && c.Exit == 1 && c.Code != codes.InvalidArgument {
			t.Errorf("%s: decodes, so the service must refuse it too; code %s", c.Name, c.Code)
		}
	}
	for _, class := range []string{"limits", "quantity", "yaml", "json", "path", "name", "input", "wire"} {
		if classes[class] == 0 {
			t.Errorf("no %s- cases", class)
		}
	}
	t.Logf("%d cases: %v", len(cases), classes)
}
