package server

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestClip(t *testing.T) {
	long := strings.Repeat("a", 200)
	for _, tc := range []struct {
		name, in string
		limit    int
		want     string
	}{
		{"plain text is kept", `name: "web" is taken`, 512, `name: "web" is taken`},
		{"a short quoted value is kept", `name: "` + strings.Repeat("b", 128) + `" bad`, 512, `name: "` + strings.Repeat("b", 128) + `" bad`},
		{"a long quoted value is cut", `name: "` + long + `" is not a label`, 512,
			`name: "` + strings.Repeat("a", 64) + `…(200 bytes)" is not a label`},
		{"an escaped long value is cut by its unquoted length", `x: "` + strings.Repeat(`\x01`, 300) + `" bad`, 512,
			`x: "` + strings.Repeat(`\x01`, 64) + `…(300 bytes)" bad`},
		{"raw control characters are escaped", "a\x00b\nc\td\x1b[31m", 512, `a\x00b\nc\td\x1b[31m`},
		{"invalid UTF-8 is escaped", "a\xffb", 512, `a\xffb`},
		{"bidi overrides are escaped", "a\u202eb", 512, `a\u202eb`},
		{"printable unicode is kept", "café ✓", 512, "café ✓"},
		{"an unterminated quote is text", `x: "abc`, 512, `x: "abc`},
		{"the whole text is bounded", strings.Repeat("z", 100), 40, strings.Repeat("z", 26) + "…(100 bytes)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := clip(tc.in, tc.limit)
			if got != tc.want {
				t.Errorf("clip(%.80q, %d)\n got %q\nwant %q", tc.in, tc.limit, got, tc.want)
			}
		})
	}
}

// TestClipBounds feeds large hostile inputs and checks every output is
// bounded, valid UTF-8 and free of control characters.
func TestClipBounds(t *testing.T) {
	inputs := map[string]string{
		"controls":          strings.Repeat("\x01", 1<<20),
		"quoted controls":   fmt.Sprintf("name: %q is bad", strings.Repeat("\x01", 1<<20)),
		"escaped quotes":    strings.Repeat(`"\"`, 1<<18),
		"many short quotes": strings.Repeat(`"a" `, 1<<18),
		"invalid utf8":      strings.Repeat("\xc3", 1<<16),
		"multibyte":         strings.Repeat("é", 1<<16),
	}
	for name, in := range inputs {
		for _, limit := range []int{40, 128, 512} {
			got := clip(in, limit)
			if len(got) > limit {
				t.Errorf("%s: %d bytes, limit %d", name, len(got), limit)
			}
			if !utf8.ValidString(got) {
				t.Errorf("%s: invalid UTF-8: %q", name, got)
			}
			for _, r := range got {
				if r < 0x20 || r == 0x7f {
					t.Errorf("%s: raw control character in %q", name, got)
					break
				}
			}
			if !strings.Contains(got, " bytes)") {
				t.Errorf("%s: %q does not say it was cut", name, got)
			}
		}
	}
}
