package memlimit

import (
	"os"
	"strings"
	"testing"
	"testing/fstest"
)

const (
	v2Mount = "30 23 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot\n"
	v1Mount = "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n" +
		"32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
	otherMounts = "22 27 0:21 / /proc rw,relatime - proc proc rw\n" +
		"24 27 0:6 / /dev rw,relatime - devtmpfs devtmpfs rw,size=12334432k,mode=755\n"
	v1Unlimited = "9223372036854771712\n"
)

func files(kv ...string) fstest.MapFS {
	fsys := fstest.MapFS{}
	for i := 0; i < len(kv); i += 2 {
		fsys[kv[i]] = &fstest.MapFile{Data: []byte(kv[i+1])}
	}
	return fsys
}

func TestRead(t *testing.T) {
	for _, tc := range []struct {
		name string
		fsys fstest.MapFS
		want Limit
	}{
		{"v2, the container's own cgroup", files(
			"proc/self/cgroup", "0::/\n",
			"proc/self/mountinfo", otherMounts+v2Mount,
			"sys/fs/cgroup/memory.max", "536870912\n",
		), Limit{Bytes: 512 << 20, File: "/sys/fs/cgroup/memory.max", Version: 2}},
		{"v2, max", files(
			"proc/self/cgroup", "0::/\n",
			"proc/self/mountinfo", v2Mount,
			"sys/fs/cgroup/memory.max", "max\n",
		), Limit{Version: 2}},
		{"v2, a parent's limit binds", files(
			"proc/self/cgroup", "0::/kubepods/pod1/ctr\n",
			"proc/self/mountinfo", v2Mount,
			"sys/fs/cgroup/kubepods/pod1/ctr/memory.max", "max\n",
			"sys/fs/cgroup/kubepods/pod1/memory.max", "268435456\n",
			"sys/fs/cgroup/kubepods/memory.max", "1073741824\n",
		), Limit{Bytes: 256 << 20, File: "/sys/fs/cgroup/kubepods/pod1/memory.max", Version: 2}},
		{"v2, the smallest of the cgroup and its parents", files(
			"proc/self/cgroup", "0::/a/b\n",
			"proc/self/mountinfo", v2Mount,
			"sys/fs/cgroup/a/b/memory.max", "100000000\n",
			"sys/fs/cgroup/a/memory.max", "200000000\n",
		), Limit{Bytes: 100000000, File: "/sys/fs/cgroup/a/b/memory.max", Version: 2}},
		{"v2, no limit files", files(
			"proc/self/cgroup", "0::/\n",
			"proc/self/mountinfo", v2Mount,
		), Limit{Version: 2}},
		{"v1, unlimited up to the root", files(
			"proc/self/cgroup", "9:name=systemd:/\n5:devices:/\n4:memory:/process_api/6393\n1:cpu:/\n0::/\n",
			"proc/self/mountinfo", otherMounts+v1Mount,
			"sys/fs/cgroup/memory/process_api/6393/memory.limit_in_bytes", v1Unlimited,
			"sys/fs/cgroup/memory/process_api/memory.limit_in_bytes", v1Unlimited,
			"sys/fs/cgroup/memory/memory.limit_in_bytes", v1Unlimited,
		), Limit{Version: 1}},
		{"v1, a limit", files(
			"proc/self/cgroup", "4:memory:/process_api/6393\n",
			"proc/self/mountinfo", v1Mount,
			"sys/fs/cgroup/memory/process_api/6393/memory.limit_in_bytes", "1073741824\n",
			"sys/fs/cgroup/memory/memory.limit_in_bytes", v1Unlimited,
		), Limit{Bytes: 1 << 30, File: "/sys/fs/cgroup/memory/process_api/6393/memory.limit_in_bytes", Version: 1}},
		{"v1, a container's hierarchy mounted at its cgroup", files(
			"proc/self/cgroup", "4:memory:/docker/abc\n",
			"proc/self/mountinfo", strings.Replace(v1Mount, " / /sys", " /docker/abc /sys", 1),
			"sys/fs/cgroup/memory/memory.limit_in_bytes", "268435456\n",
		), Limit{Bytes: 256 << 20, File: "/sys/fs/cgroup/memory/memory.limit_in_bytes", Version: 1}},
		{"hybrid: the v1 memory controller", files(
			"proc/self/cgroup", "4:memory:/\n0::/\n",
			"proc/self/mountinfo", v1Mount+"41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n",
			"sys/fs/cgroup/memory/memory.limit_in_bytes", "134217728\n",
			"sys/fs/cgroup/unified/memory.max", "1\n",
		), Limit{Bytes: 128 << 20, File: "/sys/fs/cgroup/memory/memory.limit_in_bytes", Version: 1}},
		{"a mount point with a space", files(
			"proc/self/cgroup", "0::/\n",
			"proc/self/mountinfo", strings.Replace(v2Mount, "/sys/fs/cgroup", `/sys/fs/my\040cgroup`, 1),
			"sys/fs/my cgroup/memory.max", "1048576\n",
		), Limit{Bytes: 1 << 20, File: "/sys/fs/my cgroup/memory.max", Version: 2}},
		{"no /proc/self/cgroup (not Linux)", files(), Limit{}},
		{"no mountinfo", files("proc/self/cgroup", "0::/\n"), Limit{}},
		{"no memory controller mounted", files(
			"proc/self/cgroup", "0::/\n",
			"proc/self/mountinfo", otherMounts,
		), Limit{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Read(tc.fsys)
			if err != nil || got != tc.want {
				t.Errorf("got %+v, %v; want %+v", got, err, tc.want)
			}
		})
	}
}

func TestReadRefusesWhatTheKernelDoesNotWrite(t *testing.T) {
	for name, fsys := range map[string]fstest.MapFS{
		"a cgroup line": files("proc/self/cgroup", "memory\n"),
		"a mount line": files(
			"proc/self/cgroup", "0::/\n",
			"proc/self/mountinfo", "30 23 0:26 / /sys/fs/cgroup\n",
		),
		"a v2 limit": files(
			"proc/self/cgroup", "0::/\n",
			"proc/self/mountinfo", v2Mount,
			"sys/fs/cgroup/memory.max", "lots\n",
		),
		"a v1 limit": files(
			"proc/self/cgroup", "4:memory:/\n",
			"proc/self/mountinfo", v1Mount,
			"sys/fs/cgroup/memory/memory.limit_in_bytes", "max\n",
		),
		"a negative limit": files(
			"proc/self/cgroup", "0::/\n",
			"proc/self/mountinfo", v2Mount,
			"sys/fs/cgroup/memory.max", "-1\n",
		),
	} {
		if got, err := Read(fsys); err == nil {
			t.Errorf("%s: got %+v, want an error", name, got)
		}
	}
}

// This machine's own cgroup files read without an error, whatever they
// say.
func TestReadThisMachine(t *testing.T) {
	got, err := Read(os.DirFS("/"))
	if err != nil {
		t.Fatal(err)
	}
	if got.Bytes < 0 || got.Bytes > 0 && got.File == "" || got.Version < 0 || got.Version > 2 {
		t.Errorf("limit %+v", got)
	}
	t.Logf("%+v", got)
}
