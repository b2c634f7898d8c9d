package main

import (
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/podc-dev/podc/internal/headstart"
)

// headstart reads the command line before podc compile parses it: it
// knows which of compile's flags take a value, so that it skips each
// value and finds --profile after any of them. A flag added to compile
// that headstart does not know fails this.
func TestHeadStartReadsCompileFlags(t *testing.T) {
	_, _, usage := run(t, "", "compile", "--help")
	flags := regexp.MustCompile(`(?m)^  -(\S+)( \S+)?$`).FindAllStringSubmatch(usage, -1)
	if len(flags) < 10 {
		t.Fatalf("read %d flags from the usage:\n%s", len(flags), usage)
	}
	for _, f := range flags {
		name, takesValue := f[1], f[2] != ""
		if name == "profile" || name == "policies" {
			continue
		}
		args := []string{"compile", "-" + name}
		if takesValue {
			args = append(args, "v")
		}
		args = append(args, "--profile", "restricted")
		if profile, ok := headstart.Profile(args); profile != "restricted" || !ok {
			t.Errorf("headstart.Profile(%q) = %q, %v: it reads -%s as a flag that takes %s", args, profile, ok, name, map[bool]string{true: "no value", false: "a value"}[takesValue])
		}
	}
}

// podc compile as a process of its own, which starts on the embedded
// bundle while its packages initialize, writes what a compile in this
// process (which has no head start) writes, for every profile and for
// none.
func TestHeadStartCompilesAsWithout(t *testing.T) {
	for _, args := range [][]string{
		{"compile", "-f", "../../examples/checkout.json", "--profile", "restricted"},
		{"compile", "--profile=production", "-f", "../../examples/checkout.json", "-o", "json"},
		{"compile", "-f", "../../examples/hello.json", "-profile", "baseline", "--explain"},
		{"compile", "-f", "../../examples/resolver.json"},
		{"compile", "-f", "../../examples/dev-latest.json", "--profile", "restricted"},
	} {
		code, stdout, stderr := run(t, "", args...)
		cmd := exec.Command(os.Args[0], args...)
		cmd.Env = append(os.Environ(), asPodc+"=1")
		var out, errb strings.Builder
		cmd.Stdout, cmd.Stderr = &out, &errb
		err := cmd.Run()
		got := 0
		if ee, ok := err.(*exec.ExitError); ok {
			got = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		if got != code || out.String() != stdout || errb.String() != stderr {
			t.Errorf("podc %q as a process: exit %d\n%s\n%s\nin process: exit %d\n%s\n%s", args, got, out.String(), errb.String(), code, stdout, stderr)
		}
	}
}
