package policy

import "testing"

func TestParseImage(t *testing.T) {
	tests := []struct {
		in     string
		want   imageRef
		pinned bool
	}{
		{"alpine", imageRef{Registry: "docker.io", Repository: "alpine"}, false},
		{"alpine:latest", imageRef{Registry: "docker.io", Repository: "alpine", Tag: "latest"}, false},
		{"nginx:1.27.3", imageRef{Registry: "docker.io", Repository: "nginx", Tag: "1.27.3"}, true},
		{"nicolaka/netshoot", imageRef{Registry: "docker.io", Repository: "nicolaka/netshoot"}, false},
		{"registry.example.com/shop/checkout:1.4.2", imageRef{Registry: "registry.example.com", Repository: "shop/checkout", Tag: "1.4.2"}, true},
		{"localhost:5000/app", imageRef{Registry: "localhost:5000", Repository: "app"}, false},
		{"localhost/app:v1", imageRef{Registry: "localhost", Repository: "app", Tag: "v1"}, true},
		{"r.io/x@sha256:abc", imageRef{Registry: "r.io", Repository: "x", Digest: "sha256:abc"}, true},
		{"r.io/x:latest@sha256:abc", imageRef{Registry: "r.io", Repository: "x", Tag: "latest", Digest: "sha256:abc"}, true},
		{"", imageRef{Registry: "docker.io"}, false},
		{":::", imageRef{Registry: "docker.io", Repository: "::"}, false},
	}
	for _, tt := range tests {
		got := parseImage(tt.in)
		if got != tt.want {
			t.Errorf("parseImage(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
		if got.Pinned() != tt.pinned {
			t.Errorf("parseImage(%q).Pinned() = %v, want %v", tt.in, got.Pinned(), tt.pinned)
		}
	}
}
