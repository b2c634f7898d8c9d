// Package memlimit reads the memory limit of the cgroup a process runs in:
// the container's memory limit, from cgroup v2's memory.max or cgroup v1's
// memory.limit_in_bytes, so that a service can size the Go runtime's soft
// memory limit from it.
//
// It finds the process's cgroup the way the kernel names it
// (/proc/self/cgroup) under the hierarchy mounted here
// (/proc/self/mountinfo), and takes the smallest limit set on that cgroup
// and its ancestors up to the mount: a parent's limit binds its children.
package memlimit

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
)

// Limit is a cgroup's memory limit.
type Limit struct {
	// Bytes is the limit; zero when none is set.
	Bytes int64
	// File is the file that set it, as a path from the root; empty when
	// none is set.
	File string
	// Version is the cgroup version read: 1 or 2; zero when no memory
	// controller was found (not Linux, or not in a cgroup).
	Version int
}

// unlimitedV1 is the smallest value cgroup v1 reports for "no limit": the
// largest page counter times the page size, rounded down to a page, is
// 9223372036854771712 with 4 KiB pages; any value from 2^62 up is taken as
// unlimited.
const unlimitedV1 = 1 << 62

// Read returns the memory limit of this process's cgroup, reading
// proc/self/cgroup, proc/self/mountinfo and the cgroup files from fsys,
// the root file system (os.DirFS("/")). No cgroup, no memory controller
// and no limit set are not errors: the Limit says so. A file that exists
// but does not read as the kernel writes it is an error.
func Read(fsys fs.FS) (Limit, error) {
	cgroups, err := fs.ReadFile(fsys, "proc/self/cgroup")
	if errors.Is(err, fs.ErrNotExist) {
		return Limit{}, nil
	}
	if err != nil {
		return Limit{}, err
	}
	v1Path, v2Path, err := parseCgroups(cgroups)
	if err != nil {
		return Limit{}, err
	}
	mountinfo, err := fs.ReadFile(fsys, "proc/self/mountinfo")
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return Limit{}, err
	}
	v1Mount, v2Mount, err := parseMounts(mountinfo)
	if err != nil {
		return Limit{}, err
	}
	// On a hybrid system the memory controller is the v1 one when v1 has
	// it; the v2 hierarchy then has no memory files.
	switch {
	case v1Path != "" && v1Mount.point != "":
		return walk(fsys, v1Mount, v1Path, 1, "memory.limit_in_bytes")
	case v2Path != "" && v2Mount.point != "":
		return walk(fsys, v2Mount, v2Path, 2, "memory.max")
	}
	return Limit{}, nil
}

// parseCgroups reads /proc/self/cgroup ("ID:CONTROLLERS:PATH" lines) and
// returns the path of the v1 memory controller's cgroup and of the v2
// cgroup (ID 0, no controllers); empty when absent.
func parseCgroups(data []byte) (v1, v2 string, err error) {
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := sc.Text()
		if line == "" {
			continue
		}
		parts := strings.SplitN(line, ":", 3)
		if len(parts) != 3 || !strings.HasPrefix(parts[2], "/") {
			return "", "", fmt.Errorf("proc/self/cgroup: %q is not ID:CONTROLLERS:PATH", line)
		}
		switch {
		case parts[0] == "0" && parts[1] == "":
			v2 = parts[2]
		case slices.Contains(strings.Split(parts[1], ","), "memory"):
			v1 = parts[2]
		}
	}
	return v1, v2, sc.Err()
}

// mount is where a cgroup hierarchy is mounted: the cgroup path its root
// shows (root) at the directory point.
type mount struct{ root, point string }

// parseMounts reads /proc/self/mountinfo and returns the mount of the v1
// hierarchy that has the memory controller and of the v2 hierarchy; the
// first of each.
func parseMounts(data []byte) (v1, v2 mount, err error) {
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" {
			continue
		}
		// ID PARENT MAJ:MIN ROOT POINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPER-OPTIONS
		fields := strings.Fields(line)
		sep := slices.Index(fields, "-")
		if sep < 6 || len(fields) < sep+4 {
			return mount{}, mount{}, fmt.Errorf("proc/self/mountinfo: %q is not a mount", line)
		}
		m := mount{root: unescape(fields[3]), point: unescape(fields[4])}
		switch fstype, super := fields[sep+1], fields[sep+3]; {
		case fstype == "cgroup2" && v2.point == "":
			v2 = m
		case fstype == "cgroup" && v1.point == "" && slices.Contains(strings.Split(super, ","), "memory"):
			v1 = m
		}
	}
	return v1, v2, sc.Err()
}

// unescape undoes mountinfo's octal escapes of space, tab, newline and
// backslash.
func unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+4 <= len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// walk reads file in the cgroup at cgroupPath under m and in each of its
// ancestors up to m's root, and returns the smallest limit set.
func walk(fsys fs.FS, m mount, cgroupPath string, version int, file string) (Limit, error) {
	rel, ok := strings.CutPrefix(cgroupPath, m.root)
	if !ok || rel != "" && m.root != "/" && !strings.HasPrefix(rel, "/") {
		rel = "" // the cgroup is not below the mount's root: read the mount itself
	}
	limit := Limit{Version: version}
	dir := path.Join(m.point, rel)
	for {
		name := strings.TrimPrefix(path.Join(dir, file), "/")
		data, err := fs.ReadFile(fsys, name)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			// The root cgroup has no limit file.
		case err != nil:
			return Limit{}, err
		default:
			n, set, err := parseLimit(data, version)
			if err != nil {
				return Limit{}, fmt.Errorf("%s: %w", name, err)
			}
			if set && (limit.Bytes == 0 || n < limit.Bytes) {
				limit.Bytes, limit.File = n, "/"+name
			}
		}
		if path.Clean(dir) == path.Clean(m.point) {
			return limit, nil
		}
		dir = path.Dir(dir)
	}
}

// parseLimit reads a limit file: a number of bytes, or (v2) "max" for
// none; v1's largest values mean none.
func parseLimit(data []byte, version int) (int64, bool, error) {
	s := strings.TrimSpace(string(data))
	if version == 2 && s == "max" {
		return 0, false, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, false, fmt.Errorf("%q is not a number of bytes", s)
	}
	if version == 1 && n >= unlimitedV1 {
		return 0, false, nil
	}
	return n, true, nil
}
