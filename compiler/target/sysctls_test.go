package target

import "testing"

func TestSafeSysctl(t *testing.T) {
	cases := []struct {
		name  string
		minor int
		safe  bool
		since int
	}{
		{"kernel.shm_rmid_forced", Oldest, true, Oldest},
		{"net/ipv4/ip_local_port_range", Oldest, true, Oldest},
		{"net.ipv4.ip_local_reserved_ports", 26, false, 27},
		{"net.ipv4.ip_local_reserved_ports", 27, true, 27},
		{"net.ipv4.tcp_keepalive_time", 28, false, 29},
		{"net/ipv4/tcp_keepalive_time", 29, true, 29},
		{"net.ipv4.tcp_rmem", 31, false, 32},
		{"net.ipv4.tcp_notsent_lowat", 36, false, 37},
		{"net.ipv4.tcp_notsent_lowat", Newest, true, 37},
		{"net.core.somaxconn", Newest, false, 0},
		{"kernel.msgmax", Newest, false, 0},
		{"net.ipv4.ip_local_port_range.x", Newest, false, 0},
	}
	for _, c := range cases {
		safe, since := Version{Minor: c.minor}.SafeSysctl(c.name)
		if safe != c.safe || since != c.since {
			t.Errorf("1.%d %s: safe %t since %d, want %t since %d", c.minor, c.name, safe, since, c.safe, c.since)
		}
	}
}
