package policy

import "strings"

// imageRef is an image reference split into the parts rules read.
type imageRef struct {
	Registry, Repository, Tag, Digest string
}

// Pinned reports whether the reference names one version: a digest, or a
// tag other than latest.
func (r imageRef) Pinned() bool {
	return r.Digest != "" || (r.Tag != "" && r.Tag != "latest")
}

// parseImage splits [registry[:port]/]repository[:tag][@digest]. A first
// path component is a registry when it holds a '.' or ':' or is localhost;
// otherwise the registry is docker.io. It never fails: odd references give
// odd parts, and the structural checks report them.
func parseImage(s string) imageRef {
	var r imageRef
	if i := strings.IndexByte(s, '@'); i >= 0 {
		s, r.Digest = s[:i], s[i+1:]
	}
	if i := strings.LastIndexByte(s, ':'); i >= 0 && !strings.Contains(s[i+1:], "/") {
		s, r.Tag = s[:i], s[i+1:]
	}
	r.Registry = "docker.io"
	if i := strings.IndexByte(s, '/'); i >= 0 {
		first := s[:i]
		if strings.ContainsAny(first, ".:") || first == "localhost" {
			r.Registry, s = first, s[i+1:]
		}
	}
	r.Repository = s
	return r
}
