package server

import (
	"path/filepath"
	"slices"
	"strings"

	"github.com/podc-dev/podc/compiler/policy"
)

// Bundle sources as callers see them. Where a directory is on the server's
// disk goes to the server's logs only.
const (
	SourceEmbedded  = policy.SourceEmbedded
	SourceDirectory = "directory"
)

// dirPlaceholder stands for the bundle directory in texts callers see.
const dirPlaceholder = "<policies>"

// publicSource is the source callers see: embedded or directory.
func publicSource(src string) string {
	if src == policy.SourceEmbedded {
		return SourceEmbedded
	}
	return SourceDirectory
}

// stripDir removes the bundle directory dir from msg: paths inside it become
// relative to the bundle ("rules.cue:3:1") and the directory itself reads
// dirPlaceholder. dir may appear as given, cleaned or absolute.
func stripDir(msg, dir string) string {
	if dir == "" || dir == policy.SourceEmbedded {
		return msg
	}
	forms := []string{dir, filepath.Clean(dir)}
	if abs, err := filepath.Abs(dir); err == nil {
		forms = append(forms, abs)
	}
	// Longest first, so "/srv/pol/" is not half-replaced by a shorter form.
	slices.SortFunc(forms, func(a, b string) int { return len(b) - len(a) })
	for _, f := range slices.Compact(forms) {
		f = strings.TrimSuffix(f, string(filepath.Separator))
		if f == "" || f == "." {
			continue
		}
		msg = replacePath(msg, f+string(filepath.Separator), "")
		msg = replacePath(msg, f, dirPlaceholder)
	}
	return msg
}

// replacePath replaces the occurrences of path in s that stand as a path of
// their own: not inside a longer word or path.
func replacePath(s, path, with string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, path)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		end := i + len(path)
		before := i == 0 || !pathByte(s[i-1])
		after := strings.HasSuffix(path, string(filepath.Separator)) || end == len(s) || !pathByte(s[end])
		b.WriteString(s[:i])
		if before && after {
			b.WriteString(with)
		} else {
			b.WriteString(path)
		}
		s = s[end:]
	}
}

// pathByte reports whether c can continue a path name.
func pathByte(c byte) bool {
	return c == '/' || c == '\\' || c == '-' || c == '_' || c == '.' ||
		'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}
