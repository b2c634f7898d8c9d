package intent

import (
	"strings"
	"testing"
)

func TestParseImage(t *testing.T) {
	sha := "sha256:" + strings.Repeat("4c", 32)
	for _, tc := range []struct {
		in   string
		want Image
	}{
		{"nginx", Image{Repository: "nginx"}},
		{"nginx:1.27.3", Image{Repository: "nginx", Tag: "1.27.3"}},
		{"library/nginx:latest", Image{Repository: "library/nginx", Tag: "latest"}},
		{"localhost:5000/app", Image{Registry: "localhost:5000", Repository: "app"}},
		{"localhost:5000/app:1.0", Image{Registry: "localhost:5000", Repository: "app", Tag: "1.0"}},
		{"localhost/app", Image{Registry: "localhost", Repository: "app"}},
		{"registry.example.com/shop/checkout:1.4.2", Image{Registry: "registry.example.com", Repository: "shop/checkout", Tag: "1.4.2"}},
		{"10.0.0.1:5000/team/app:v2", Image{Registry: "10.0.0.1:5000", Repository: "team/app", Tag: "v2"}},
		{"[::1]:5000/app", Image{Registry: "[::1]:5000", Repository: "app"}},
		{"repo@" + sha, Image{Repository: "repo", Digest: sha}},
		{"repo:tag@" + sha, Image{Repository: "repo", Tag: "tag", Digest: sha}},
		{"localhost:5000/app@" + sha, Image{Registry: "localhost:5000", Repository: "app", Digest: sha}},
		{"a/b/c/d:x_Y.z-1", Image{Repository: "a/b/c/d", Tag: "x_Y.z-1"}},
		{"my__app:1", Image{Repository: "my__app", Tag: "1"}},
	} {
		got, err := ParseImage(tc.in)
		if err != nil {
			t.Errorf("ParseImage(%q): %v", tc.in, err)
			continue
		}
		if got != tc.want {
			t.Errorf("ParseImage(%q) = %+v, want %+v", tc.in, got, tc.want)
		}
	}
}

func TestParseImageRefuses(t *testing.T) {
	for _, tc := range []struct{ in, msg string }{
		{"", "required"},
		{"App", "lower case"},
		{"Registry.example.com/Team/App:1.0", "lower case"},
		{"app:", "empty tag"},
		{"app@", "empty digest"},
		{"app@sha256:abc", "wrong length"},
		{"app@md5:" + strings.Repeat("a", 32), "unsupported algorithm"},
		{"app@sha256:" + strings.Repeat("g", 64), "invalid digest"},
		{"app@@sha256:" + strings.Repeat("a", 64), "more than one '@'"},
		{" nginx", "white space"},
		{"nginx :1", "white space"},
		{"app:-x", "invalid tag"},
		{"app:" + strings.Repeat("a", 129), "invalid tag"},
		{"localhost:99999/app", "registry port"},
		{"localhost:0/app", "registry port"},
		{"example.com//app", "empty path component"},
		{"example.com/", "no repository"},
		{":1.0", "no repository"},
		{"app-/x", "invalid path component"},
		{"-app", "invalid path component"},
		{"a..b", "invalid path component"},
		{"ex_ample.com:5000/app", "invalid registry"},
		{strings.Repeat("a", 256), "too long"},
	} {
		_, err := ParseImage(tc.in)
		if err == nil {
			t.Errorf("ParseImage(%q) succeeded, want an error about %q", tc.in, tc.msg)
			continue
		}
		if !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("ParseImage(%q) = %q, want it to mention %q", tc.in, err, tc.msg)
		}
	}
}

func TestImagePinned(t *testing.T) {
	for _, tc := range []struct {
		in     string
		pinned bool
	}{
		{"nginx", false},
		{"nginx:latest", false},
		{"localhost:5000/app", false},
		{"localhost:5000/app:1.0", true},
		{"nginx:1.27", true},
		{"nginx@sha256:" + strings.Repeat("a", 64), true},
		{"nginx:latest@sha256:" + strings.Repeat("a", 64), true},
	} {
		im, err := ParseImage(tc.in)
		if err != nil {
			t.Fatalf("ParseImage(%q): %v", tc.in, err)
		}
		if im.Pinned() != tc.pinned {
			t.Errorf("ParseImage(%q).Pinned() = %v, want %v", tc.in, im.Pinned(), tc.pinned)
		}
	}
}

// FuzzParseImage checks that no input panics and that whatever ParseImage
// accepts, the distribution grammar accepts too (ParseImage cross-checks
// with it, so a disagreement would be a refusal, never a pass).
func FuzzParseImage(f *testing.F) {
	for _, s := range []string{"nginx", "localhost:5000/app:1.0", "repo@sha256:" + strings.Repeat("a", 64), "app:", "A/b", "[::1]:80/x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		im, err := ParseImage(s)
		if err != nil {
			return
		}
		if im.Repository == "" {
			t.Errorf("ParseImage(%q) accepted an empty repository", s)
		}
	})
}
