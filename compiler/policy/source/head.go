package source

import (
	"io/fs"
	"slices"
	"sync/atomic"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/cuecontext"
)

// A Plan is what compiling a bundle's profiles takes, written down ahead
// of time for the bundle whose files digest to Digest: its rules, and for
// each profile the forms a generation compiles for it, in order. Package
// policy works them out from the rules' metadata; a Plan lets a Head do
// the same work before that metadata is at hand.
type Plan struct {
	// Digest is the Files.Digest of the bundle the plan was made for.
	Digest string
	// Rules are the ids of the bundle's rules, sorted.
	Rules []string
	// Profiles holds, by profile name, the forms compiled for it.
	Profiles map[string][]Form
}

// isRule reports whether id names one of the plan's rules.
func (p *Plan) isRule(id string) bool {
	_, ok := slices.BinarySearch(p.Rules, id)
	return ok
}

// A Head is a head start on a bundle: its files read and parsed and,
// when a profile is named, that profile's forms wrapped and compiled into
// a cue.Context of their own, all on a goroutine of its own, while the
// process does other work. Package policy takes what it holds (Files,
// Scope) in place of doing that work, when it was made for exactly the
// bundle and the forms policy would compile. A Head's methods are safe
// for concurrent use; each waits for the part it returns.
type Head struct {
	plan    *Plan
	profile string

	parsed chan struct{}
	files  *Files // nil when the files did not read or parse

	compiled chan struct{}
	scope    Scope
	ok       bool
	taken    atomic.Bool
}

// A Scope is a profile's evaluation file compiled into a context: what a
// generation of package policy holds for the profile.
type Scope struct {
	// Ctx is the context the file was compiled into; nothing else is.
	Ctx *cue.Context
	// File is the evaluation file, as Wrap made it.
	File *ast.File
	// Value is File compiled.
	Value cue.Value
}

// Start starts a head start on the bundle in fsys, following plan: its
// files are parsed and, when profile is one of the plan's, its forms
// compiled. It returns at once.
func Start(fsys fs.FS, plan *Plan, profile string) *Head {
	h := &Head{plan: plan, profile: profile, parsed: make(chan struct{}), compiled: make(chan struct{})}
	go h.run(fsys)
	return h
}

func (h *Head) run(fsys fs.FS) {
	defer close(h.compiled)
	files, problems, err := Read(fsys)
	if err == nil && len(problems) == 0 && files.Digest == h.plan.Digest {
		h.files = files
	}
	close(h.parsed)
	forms, ok := h.plan.Profiles[h.profile]
	if h.files == nil || !ok {
		return
	}
	wf, err := Wrap(h.files, forms, h.plan.isRule)
	if err != nil {
		return
	}
	ctx := cuecontext.New()
	v, err := Compile(ctx, h.files.Pkg, wf)
	if err != nil {
		return
	}
	h.scope, h.ok = Scope{Ctx: ctx, File: wf, Value: v}, true
}

// Profile is the profile the head compiles, or "" when none.
func (h *Head) Profile() string { return h.profile }

// Files returns the bundle's files, parsed, when they digest to digest;
// nil when they are other files or did not parse. It waits for them.
func (h *Head) Files(digest string) *Files {
	<-h.parsed
	if h.files == nil || h.files.Digest != digest {
		return nil
	}
	return h.files
}

// Scope returns the compiled evaluation file of profile, when the head
// compiled that profile with exactly forms, for a bundle whose rules are
// exactly rules (sorted); ok is false otherwise, or when it did not
// compile. It waits for the compile. The scope is handed over: the first
// call that returns it ok owns its context, and later calls return false.
func (h *Head) Scope(profile string, forms []Form, rules []string) (s Scope, ok bool) {
	<-h.compiled
	if !h.ok || profile != h.profile || !slices.Equal(rules, h.plan.Rules) ||
		!slices.EqualFunc(forms, h.plan.Profiles[profile], Form.Equal) {
		return Scope{}, false
	}
	// Handed over once: a cue.Context serves one generation.
	if !h.taken.CompareAndSwap(false, true) {
		return Scope{}, false
	}
	return h.scope, true
}
