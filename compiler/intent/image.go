package intent

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/distribution/reference"
	"github.com/opencontainers/go-digest"
)

// Image is a parsed container image reference:
// [registry[:port]/]repository[:tag][@digest].
type Image struct {
	// Registry is the registry host and optional port ("localhost:5000");
	// empty when the reference names none (Docker Hub).
	Registry string
	// Repository is the path inside the registry ("shop/checkout").
	Repository string
	// Tag is the tag after ':'; empty when there is none.
	Tag string
	// Digest is the content digest after '@' ("sha256:..."); empty when there
	// is none.
	Digest string
}

// Pinned reports whether the reference names fixed content or a fixed tag:
// a digest, or a tag other than "latest". An unpinned image may change
// between pulls.
func (im Image) Pinned() bool {
	return im.Digest != "" || (im.Tag != "" && im.Tag != "latest")
}

var (
	anchoredTag    = regexp.MustCompile(`^` + reference.TagRegexp.String() + `$`)
	anchoredDomain = regexp.MustCompile(`^` + reference.DomainRegexp.String() + `$`)
	pathComponent  = regexp.MustCompile(`^[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*$`)
)

// maxImageNameLength is the longest repository name (registry included)
// registries accept.
const maxImageNameLength = 255

// imageCache remembers parsed references: the same few images come back in
// request after request, and the reference grammar's regular expressions
// are the costly part of checking an intent. It holds at most
// imageCacheEntries references of at most maxCachedImage bytes each (about
// 4 MB with the parsed parts); a longer reference, which no registry
// accepts, is parsed every time.
var imageCache = newMemo[imageResult](imageCacheEntries)

const (
	imageCacheEntries = 4096
	// maxCachedImage is longer than any valid reference: a 255-byte name,
	// a 128-byte tag and a sha512 digest.
	maxCachedImage = 512
)

type imageResult struct {
	im  Image
	err error
}

// ParseImage parses an image reference the way container runtimes do: the
// first path component is a registry when it contains '.' or ':' or is
// "localhost" ("localhost:5000/app" has registry "localhost:5000" and no
// tag); a tag follows the last ':' after the last '/'; a digest follows '@'.
// The error says, for a person, which part is wrong.
func ParseImage(s string) (Image, error) {
	if len(s) > maxCachedImage {
		return parseImage(s)
	}
	r := imageCache.get(s, func(s string) imageResult {
		im, err := parseImage(s)
		return imageResult{im, err}
	})
	return r.im, r.err
}

func parseImage(s string) (Image, error) {
	var im Image
	if s == "" {
		return im, fmt.Errorf("required")
	}
	if strings.TrimSpace(s) != s || strings.ContainsAny(s, " \t\r\n") {
		return im, fmt.Errorf("%q must not contain white space", s)
	}
	name := s
	if i := strings.Index(name, "@"); i >= 0 {
		im.Digest = name[i+1:]
		name = name[:i]
		if im.Digest == "" {
			return im, fmt.Errorf("%q has an empty digest after '@'", s)
		}
		if strings.Contains(im.Digest, "@") {
			return im, fmt.Errorf("%q has more than one '@'", s)
		}
		if err := digest.Digest(im.Digest).Validate(); err != nil {
			return im, fmt.Errorf("%q has an invalid digest %q: %v", s, im.Digest, digestProblem(err))
		}
	}
	if i := strings.LastIndex(name, ":"); i >= 0 && !strings.Contains(name[i+1:], "/") {
		im.Tag = name[i+1:]
		name = name[:i]
		if im.Tag == "" {
			return im, fmt.Errorf("%q has an empty tag after ':'", s)
		}
		if !anchoredTag.MatchString(im.Tag) {
			return im, fmt.Errorf("%q has an invalid tag %q: a tag is at most 128 letters, digits, '_', '.' and '-', not starting with '.' or '-'", s, im.Tag)
		}
	}
	if name == "" {
		return im, fmt.Errorf("%q has no repository name", s)
	}
	if len(name) > maxImageNameLength {
		return im, fmt.Errorf("%q is too long: the repository name is at most %d characters", s, maxImageNameLength)
	}
	im.Repository = name
	if i := strings.Index(name, "/"); i >= 0 {
		first := name[:i]
		if strings.ContainsAny(first, ".:") || first == "localhost" || first != strings.ToLower(first) {
			im.Registry, im.Repository = first, name[i+1:]
		}
	}
	if im.Registry != "" {
		if !anchoredDomain.MatchString(im.Registry) {
			return im, fmt.Errorf("%q has an invalid registry %q: want host or host:port", s, im.Registry)
		}
		if h, p, ok := strings.Cut(im.Registry, ":"); ok && !strings.HasPrefix(h, "[") {
			if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
				return im, fmt.Errorf("%q has an invalid registry port %q: want 1-65535", s, p)
			}
		}
	}
	if im.Repository == "" {
		return im, fmt.Errorf("%q has no repository name after the registry", s)
	}
	for _, c := range strings.Split(im.Repository, "/") {
		switch {
		case c == "":
			return im, fmt.Errorf("%q has an empty path component in %q", s, im.Repository)
		case c != strings.ToLower(c):
			return im, fmt.Errorf("%q: the repository name %q must be lower case", s, im.Repository)
		case !pathComponent.MatchString(c):
			return im, fmt.Errorf("%q has an invalid path component %q: lower case letters and digits, separated by '.', '_', '__' or '-'", s, c)
		}
	}
	// The grammar of the distribution project is the reference every
	// registry and runtime implements; anything it refuses is refused here,
	// even if the checks above missed it.
	if _, err := reference.Parse(s); err != nil {
		return im, fmt.Errorf("%q is not a valid image reference: %v", s, err)
	}
	return im, nil
}

// digestProblem turns go-digest's errors into plain words.
func digestProblem(err error) string {
	switch err {
	case digest.ErrDigestInvalidFormat:
		return "want algorithm:hex, e.g. sha256 and 64 hex digits"
	case digest.ErrDigestInvalidLength:
		return "the hex part has the wrong length for its algorithm"
	case digest.ErrDigestUnsupported:
		return "unsupported algorithm: use sha256, sha384 or sha512"
	}
	return err.Error()
}
