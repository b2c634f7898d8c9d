package headstart

import "testing"

// Profile reads a podc command line as package flag would: only podc
// compile on the embedded bundle, and the value of its last --profile.
func TestProfile(t *testing.T) {
	for _, c := range []struct {
		args    []string
		profile string
		ok      bool
	}{
		{nil, "", false},
		{[]string{"serve"}, "", false},
		{[]string{"version", "compile"}, "", false},
		{[]string{"compile", "-f", "a.json"}, "", true},
		{[]string{"compile", "-f", "a.json", "--profile", "restricted"}, "restricted", true},
		{[]string{"compile", "--profile=production", "-f", "a.json"}, "production", true},
		{[]string{"compile", "-profile", "baseline", "-profile=restricted"}, "restricted", true},
		// A flag's value is not read as a flag.
		{[]string{"compile", "-f", "--profile", "-o", "json"}, "", true},
		{[]string{"compile", "-o", "json", "-explain", "--profile", "restricted"}, "restricted", true},
		{[]string{"compile", "-explain=true", "--stream", "--profile", "restricted"}, "restricted", true},
		// Flags end at "--" or at the first argument that is not one.
		{[]string{"compile", "--", "--profile", "restricted"}, "", true},
		{[]string{"compile", "a.json", "--profile", "restricted"}, "", true},
		{[]string{"compile", "-", "--profile", "restricted"}, "", true},
		// A missing value.
		{[]string{"compile", "--profile"}, "", true},
		// A directory bundle.
		{[]string{"compile", "--policies", "dir", "--profile", "restricted"}, "", false},
		{[]string{"compile", "--profile", "restricted", "-policies=dir"}, "", false},
	} {
		profile, ok := Profile(c.args)
		if profile != c.profile || ok != c.ok {
			t.Errorf("Profile(%q) = %q, %v; want %q, %v", c.args, profile, ok, c.profile, c.ok)
		}
	}
}

// In a test binary the command line is the test's: no head start.
func TestNoHeadStartInTests(t *testing.T) {
	if h := Take(); h != nil {
		t.Errorf("a head start was made for the command line %q", "test")
	}
}
