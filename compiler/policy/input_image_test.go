package policy

import "testing"

func TestImageParts(t *testing.T) {
	for _, tt := range []struct {
		in, registry, tag string
		pinned            bool
	}{
		{"alpine", "docker.io", "", false},
		{"alpine:latest", "docker.io", "latest", false},
		{"nginx:1.27.3", "docker.io", "1.27.3", true},
		{"nicolaka/netshoot", "docker.io", "", false},
		{"registry.example.com/shop/checkout:1.4.2", "registry.example.com", "1.4.2", true},
		{"localhost:5000/app", "localhost:5000", "", false},
		{"localhost/app:v1", "localhost", "v1", true},
		{"r.io/x@sha256:" + sixtyFourHex, "r.io", "", true},
		{"r.io/x:latest@sha256:" + sixtyFourHex, "r.io", "latest", true},
		{"", "", "", false},
		{":::", "", "", false},
		{"Upper/Case:1", "", "", false},
	} {
		got := imageParts(tt.in)
		if got.Registry != tt.registry || got.Tag != tt.tag || got.Pinned() != tt.pinned {
			t.Errorf("imageParts(%q) = %+v pinned %v, want registry %q tag %q pinned %v", tt.in, got, got.Pinned(), tt.registry, tt.tag, tt.pinned)
		}
	}
}

const sixtyFourHex = "4c1e0f3a8d2b6e9f7a5c3b1d0e8f6a4c2b0d9e7f5a3c1b8d6e4f2a0c9b7d5e3f"
