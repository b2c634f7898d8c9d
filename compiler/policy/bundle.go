package policy

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/build"
	"cuelang.org/go/cue/cuecontext"
	"cuelang.org/go/cue/parser"

	"github.com/podc-dev/podc/compiler/diag"
	"github.com/podc-dev/podc/internal/lru"
	"github.com/podc-dev/podc/policies"
)

// SourceEmbedded is the Source of the default bundle.
const SourceEmbedded = "embedded"

// Bundle is a compiled policy bundle. It is immutable and safe for
// concurrent use: every request evaluates the same compiled CUE.
type Bundle struct {
	digest   string
	source   string
	fsys     fs.FS
	profiles []Profile
	rules    []Rule
	byID     map[string]int
	// byProfile lists, per profile, the indexes into rules of its intent
	// rules, its manifest rules and its rules that supply defaults.
	byProfile map[string]*profileRules

	ctx  *cue.Context
	root cue.Value
	// scope holds #Bundle, the bundle wrapped for evaluation (see
	// wrapSources).
	scope cue.Value
	// violations and defaults are the paths of each rule's lists, by rule
	// index.
	violations []cue.Path
	defaults   []cue.Path
	// hasViolations records, by rule index, whether the rule declares
	// violations.
	hasViolations []bool
}

type profileRules struct {
	intent, manifest, defaults []int
	// The four evaluation units of the profile: whole-intent and
	// per-container rules of each stage.
	intentWhole, intentEach, manifestWhole, manifestEach *unit
}

// cacheSize bounds each of a bundle's result caches, in entries.
const cacheSize = 4096

var defaultBundle = sync.OnceValues(func() (*Bundle, error) {
	return Load(policies.FS(), SourceEmbedded)
})

// Default returns the embedded default bundle, compiled once per process.
func Default() (*Bundle, error) { return defaultBundle() }

// LoadDir loads the bundle in dir: its *.cue files (not subdirectories).
// Errors name each file as dir/name.cue:line:col.
func LoadDir(dir string) (*Bundle, error) {
	st, err := os.Stat(dir)
	if err != nil {
		return nil, &LoadError{Source: dir, Problems: []string{err.Error()}}
	}
	if !st.IsDir() {
		return nil, &LoadError{Source: dir, Problems: []string{dir + ": not a directory"}}
	}
	return Load(os.DirFS(dir), dir)
}

// Load compiles the bundle made of the *.cue files at the root of fsys.
// source names it in errors and Status: a directory, or "embedded". Every
// problem is reported at once, as a *LoadError.
func Load(fsys fs.FS, source string) (*Bundle, error) {
	names, err := fs.Glob(fsys, "*.cue")
	if err != nil {
		return nil, &LoadError{Source: source, Problems: []string{err.Error()}}
	}
	sort.Strings(names)
	if len(names) == 0 {
		return nil, &LoadError{Source: source, Problems: []string{"no .cue files"}}
	}
	display := func(name string) string {
		if source == SourceEmbedded {
			return name
		}
		return filepath.Join(source, name)
	}

	h := sha256.New()
	var files []*ast.File
	var problems []string
	srcs := map[string][]byte{}
	var order []string
	pkg := ""
	for _, name := range names {
		src, err := fs.ReadFile(fsys, name)
		if err != nil {
			problems = append(problems, err.Error())
			continue
		}
		fmt.Fprintf(h, "%s\x00%d\x00", name, len(src))
		h.Write(src)
		srcs[display(name)] = src
		order = append(order, display(name))
		f, err := parser.ParseFile(display(name), src)
		if err != nil {
			problems = append(problems, cueProblems(err)...)
			continue
		}
		p := f.PackageName()
		switch {
		case p == "":
			problems = append(problems, display(name)+":1:1: a package clause is required")
			continue
		case pkg == "":
			pkg = p
		case p != pkg:
			problems = append(problems, fmt.Sprintf("%s: package %s, but the bundle's other files are package %s", display(name), p, pkg))
			continue
		}
		files = append(files, f)
	}
	if len(problems) > 0 {
		return nil, &LoadError{Source: source, Problems: problems}
	}
	pre, err := parser.ParseFile(preludeName, preludeSource(pkg))
	if err != nil {
		return nil, fmt.Errorf("policy prelude: %w", err)
	}

	inst := build.NewContext().NewInstance("", nil)
	inst.PkgName = pkg
	for _, f := range append(files, pre) {
		if err := inst.AddSyntax(f); err != nil {
			return nil, &LoadError{Source: source, Problems: cueProblems(err)}
		}
	}
	ctx := cuecontext.New()
	root := ctx.BuildInstance(inst)
	if err := root.Err(); err != nil {
		return nil, &LoadError{Source: source, Problems: cueProblems(err)}
	}
	if err := root.Validate(); err != nil {
		return nil, &LoadError{Source: source, Problems: cueProblems(err)}
	}

	const defsName = "podc-schema.cue"
	srcs[preludeName], srcs[defsName] = evalPreludeSource(pkg)
	order = append(order, preludeName, defsName)
	outside := map[string]bool{defsName: true}
	var mentionsContainers bool
	wrapped := func(keep func(string) (bool, []string)) (cue.Value, error) {
		wf, err := wrapSources(pkg, srcs, order, outside, keep)
		if err != nil {
			return cue.Value{}, &LoadError{Source: source, Problems: cueProblems(err)}
		}
		mentionsContainers = mentions(wf, "containers")
		winst := build.NewContext().NewInstance("", nil)
		winst.PkgName = pkg
		if err := winst.AddSyntax(wf); err != nil {
			return cue.Value{}, &LoadError{Source: source, Problems: cueProblems(err)}
		}
		v := ctx.BuildInstance(winst)
		if err := v.Err(); err != nil {
			return cue.Value{}, &LoadError{Source: source, Problems: cueProblems(err)}
		}
		return v, nil
	}
	scope, err := wrapped(nil)
	if err != nil {
		return nil, err
	}

	b := &Bundle{
		digest:    "sha256:" + hex.EncodeToString(h.Sum(nil)),
		source:    source,
		fsys:      fsys,
		ctx:       ctx,
		root:      root,
		scope:     scope,
		byID:      map[string]int{},
		byProfile: map[string]*profileRules{},
	}
	if problems := b.readMetadata(); len(problems) > 0 {
		return nil, &LoadError{Source: source, Problems: problems}
	}
	// Each profile gets a trimmed form per unit, so a request evaluates
	// only the rules it reads. A trimmed form that does not compile (a rule
	// reads a rule left out) falls back to the whole bundle.
	for _, pr := range b.byProfile {
		units := []struct {
			u     **unit
			stage diag.Stage
			each  bool
		}{
			{&pr.intentWhole, diag.StageIntentPolicy, false},
			{&pr.intentEach, diag.StageIntentPolicy, true},
			{&pr.manifestWhole, diag.StageManifestPolicy, false},
			{&pr.manifestEach, diag.StageManifestPolicy, true},
		}
		for _, x := range units {
			u := &unit{stage: x.stage, each: x.each, cache: lru.New[[]ruleOut](cacheSize)}
			for _, i := range slices.Concat(pr.intent, pr.manifest) {
				r := b.rules[i]
				if (r.Each == "container") != x.each {
					continue
				}
				if r.Stage == x.stage {
					u.viol = append(u.viol, i)
				}
				if r.Defaults && x.stage == diag.StageIntentPolicy {
					u.defs = append(u.defs, i)
				}
			}
			u.tail = b.evalTail(u.viol, u.defs)
			inUnit := func(i int) (viol, defs bool) {
				return slices.Contains(u.viol, i), slices.Contains(u.defs, i)
			}
			scopeV, err := wrapped(func(id string) (bool, []string) {
				i, ok := b.byID[id]
				if !ok {
					return true, nil // not a rule: a helper, keep it
				}
				// The metadata was read at load; evaluating it again on
				// every request would only cost time.
				drop := []string{"id", "profiles", "severity", "stage", "message", "description", "each"}
				v, d := inUnit(i)
				switch {
				case v && d:
					return true, drop
				case v:
					return true, append(drop, "defaults")
				case d:
					return true, append(drop, "violations")
				}
				return false, nil
			})
			u.needsContainers = mentionsContainers
			if err != nil {
				scopeV, u.needsContainers = scope, true
			}
			u.scope = scopeV
			if err == nil && !u.empty() {
				u.forms, u.formScope = b.buildRuleForms(u, func(fs []form) (*ast.File, error) {
					return wrapForms(pkg, srcs, order, outside, fs)
				})
				u.formIndex = map[int]int{}
				for j, rf := range u.forms {
					u.formIndex[rf.rule] = j
				}
			}
			*x.u = u
		}
	}
	return b, nil
}

// readMetadata reads the profiles and each rule's metadata, which must be
// concrete.
func (b *Bundle) readMetadata() []string {
	var problems []string
	bad := func(v cue.Value, format string, args ...any) {
		msg := fmt.Sprintf(format, args...)
		if p := v.Pos(); p.IsValid() {
			msg = fmt.Sprintf("%s:%d:%d: %s", p.Filename(), p.Line(), p.Column(), msg)
		}
		problems = append(problems, msg)
	}

	it, err := b.root.LookupPath(cue.ParsePath("profiles")).Fields()
	if err != nil {
		return cueProblems(err)
	}
	for it.Next() {
		name := it.Selector().Unquoted()
		desc, err := it.Value().LookupPath(cue.ParsePath("description")).String()
		if err != nil {
			bad(it.Value(), "profiles.%s.description: %v", name, err)
		}
		b.profiles = append(b.profiles, Profile{Name: name, Description: desc})
		b.byProfile[name] = &profileRules{}
	}
	if len(b.profiles) == 0 {
		problems = append(problems, "the bundle declares no profiles")
	}
	slices.SortFunc(b.profiles, func(x, y Profile) int { return strings.Compare(x.Name, y.Name) })

	it, err = b.root.LookupPath(cue.ParsePath("rules")).Fields()
	if err != nil {
		return append(problems, cueProblems(err)...)
	}
	for it.Next() {
		v := it.Value()
		id := it.Selector().Unquoted()
		r := Rule{ID: id}
		str := func(field string) string {
			s, err := v.LookupPath(cue.MakePath(cue.Str(field))).String()
			if err != nil {
				bad(v, "rules[%q].%s: %v", id, field, err)
			}
			return s
		}
		r.Message = str("message")
		r.Description = str("description")
		if r.Severity, err = diag.ParseSeverity(str("severity")); err != nil {
			bad(v, "rules[%q].severity: %v", id, err)
		}
		switch s := str("stage"); s {
		case "intent":
			r.Stage = diag.StageIntentPolicy
		case "manifest":
			r.Stage = diag.StageManifestPolicy
		default:
			bad(v, "rules[%q].stage: %q: must be intent or manifest", id, s)
		}
		if err := v.LookupPath(cue.ParsePath("profiles")).Decode(&r.Profiles); err != nil {
			bad(v, "rules[%q].profiles: %v", id, err)
		}
		for _, p := range r.Profiles {
			if b.byProfile[p] == nil {
				bad(v, "rules[%q].profiles: unknown profile %q (the bundle declares %s)", id, p, b.profileList())
			}
		}
		r.Defaults = v.LookupPath(cue.ParsePath("defaults")).Exists()
		if e := v.LookupPath(cue.ParsePath("each")); e.Exists() {
			if r.Each, err = e.String(); err != nil || r.Each != "container" {
				bad(v, "rules[%q].each: must be \"container\"", id)
			}
		}
		b.rules = append(b.rules, r)
	}
	slices.SortFunc(b.rules, func(x, y Rule) int { return strings.Compare(x.ID, y.ID) })
	for i, r := range b.rules {
		b.byID[r.ID] = i
		base := cue.MakePath(cue.Str("rules"), cue.Str(r.ID))
		b.hasViolations = append(b.hasViolations, b.root.LookupPath(base.Append(cue.Str("violations"))).Exists())
		b.violations = append(b.violations, cue.MakePath(cue.Str("r"), cue.Str(r.ID), cue.Str("violations")))
		b.defaults = append(b.defaults, cue.MakePath(cue.Str("r"), cue.Str(r.ID), cue.Str("defaults")))
		for _, p := range r.Profiles {
			pr := b.byProfile[p]
			if pr == nil {
				continue
			}
			if r.Stage == diag.StageIntentPolicy {
				pr.intent = append(pr.intent, i)
			} else {
				pr.manifest = append(pr.manifest, i)
			}
			if r.Defaults {
				pr.defaults = append(pr.defaults, i)
			}
		}
	}
	return problems
}

// evalTail is the part of a request's source after the input. The unit's
// form holds only the unit's rules, stripped to their violations and
// defaults, so selecting them all evaluates exactly what the unit reads.
func (b *Bundle) evalTail(violations, defaults []int) []byte {
	if len(violations) == 0 && len(defaults) == 0 {
		return []byte("\n")
	}
	return []byte("\nr: B.rules\n")
}

func (b *Bundle) profileList() string {
	names := make([]string, len(b.profiles))
	for i, p := range b.profiles {
		names[i] = p.Name
	}
	return strings.Join(names, ", ")
}

// Digest is "sha256:<hex>" over the bundle's .cue files: their sorted
// names and contents.
func (b *Bundle) Digest() string { return b.digest }

// Source is "embedded" or the directory the bundle was loaded from.
func (b *Bundle) Source() string { return b.source }

// Files returns the bundle's files; its test cases are under tests/.
func (b *Bundle) Files() fs.FS { return b.fsys }

// Profiles returns the bundle's profiles, by name.
func (b *Bundle) Profiles() []Profile { return slices.Clone(b.profiles) }

// Rules returns every rule, by id.
func (b *Bundle) Rules() []Rule {
	out := slices.Clone(b.rules)
	for i := range out {
		out[i].Profiles = slices.Clone(out[i].Profiles)
	}
	return out
}

// HasProfile reports whether the bundle declares the profile.
func (b *Bundle) HasProfile(name string) bool { return b.byProfile[name] != nil }

// unknownProfile is the Invalid error for a profile the bundle lacks.
func (b *Bundle) unknownProfile(name string) error {
	return &diag.Error{Kind: diag.Invalid, Findings: []diag.Finding{
		diag.Denyf(diag.StageIntent, "profile", "unknown profile %q; the policy bundle has: %s", name, b.profileList()),
	}}
}
