// Package headstart gives podc compile a head start on the embedded
// policy bundle. Go initializes a program's packages one after another,
// on one processor; podc's take about 10 ms, most of them the
// kube-apiserver's. CUE's packages are initialized about halfway, and so
// is this one, which imports only those and the bundle: its init starts,
// on a spare processor, what a compile of the embedded bundle does first
// (parse the bundle, and compile the forms of the profile the command
// line names: source.Head), so that it is done, or nearly, when main
// starts.
//
// It does so only for a command line that is podc compile on the
// embedded bundle (no --policies). It reads the command line as package
// flag will (see Profile); if it reads it wrong, the work is wasted, never
// wrong: package policy takes only what was made for exactly its bundle
// and forms, and does the rest itself.
package headstart

import (
	"os"
	"strings"
	"sync/atomic"

	"github.com/podc-dev/podc/compiler/policy/source"
	"github.com/podc-dev/podc/policies"
)

// head is the head start this process made; nil when it made none.
var head atomic.Pointer[source.Head]

func init() {
	if profile, ok := Profile(os.Args[1:]); ok {
		head.Store(source.Start(policies.FS(), &plan, profile))
	}
}

// Take returns the head start this process made at start, once; nil when
// it made none, or it was taken.
func Take() *source.Head { return head.Swap(nil) }

// Plan is the plan of the embedded bundle, written when podc was built
// (plan.go, by go generate ./compiler/policy).
func Plan() *source.Plan { return &plan }

// valueFlags are podc compile's flags that take a value: each is followed
// by it unless written -flag=value. The others are booleans.
var valueFlags = map[string]bool{
	"f": true, "o": true, "profile": true, "policies": true, "target-version": true,
	"max-input-bytes": true, "out-dir": true, "jobs": true, "node-port-range": true,
}

// Profile reads args, a podc command line without the program name: ok
// is true when it is podc compile on the embedded bundle, and profile is
// the value of its last --profile flag ("" when none). It reads flags as
// package flag does: -name or --name, the value after = or in the next
// argument, up to the first argument that is not a flag or "--".
func Profile(args []string) (profile string, ok bool) {
	if len(args) == 0 || args[0] != "compile" {
		return "", false
	}
	for i := 1; i < len(args); i++ {
		a := args[i]
		if a == "--" || len(a) < 2 || a[0] != '-' {
			break
		}
		name, value, hasValue := strings.Cut(strings.TrimPrefix(a[1:], "-"), "=")
		if !valueFlags[name] {
			continue
		}
		if !hasValue {
			if i++; i == len(args) {
				break
			}
			value = args[i]
		}
		switch name {
		case "profile":
			profile = value
		case "policies":
			return "", false
		}
	}
	return profile, true
}
