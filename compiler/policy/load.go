package policy

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/build"
	"cuelang.org/go/cue/cuecontext"
	"cuelang.org/go/cue/parser"

	"github.com/podc-dev/podc/compiler/diag"
	"github.com/podc-dev/podc/compiler/policy/reads"
	"github.com/podc-dev/podc/internal/lru"
	"github.com/podc-dev/podc/policies"
)

// SourceEmbedded is the Source of the default bundle.
const SourceEmbedded = "embedded"

// Options bound what a Bundle keeps between requests. The zero value takes
// every default.
type Options struct {
	// Cache bounds the cache of rule outcomes (see doc.go); a zero field
	// takes DefaultCache's.
	Cache lru.Bounds
	// EvalsPerGeneration is how many rule evaluations one generation (one
	// cue.Context holding the compiled rules) serves before the rules are
	// compiled into a fresh one and the old one is dropped; zero means
	// DefaultEvalsPerGeneration. A cue.Context keeps everything compiled
	// into it, about 7.5 KB per evaluation, so this bounds that memory.
	EvalsPerGeneration int
	// Lazy compiles each profile's rules on the profile's first use (in
	// every generation) instead of every profile's at load, so a process
	// that evaluates one profile, such as a one-shot podc compile, compiles
	// only that profile's rules. Load still checks the bundle's syntax, its
	// schema and every rule's metadata and exception terms, but not that
	// each rule's forms compile: CompileProfiles does, and
	// compiler.CheckBundle calls it before a directory bundle serves. A
	// rule whose form does not compile is then reported on evaluation as a
	// fault under the rule's id. Embedded with Lazy takes the embedded
	// bundle's facts computed when podc was built (see bundleFacts) in
	// place of that check and reading, when they were made for exactly its
	// files.
	Lazy bool
}

// DefaultCache bounds the rule outcome cache by default.
var DefaultCache = lru.Bounds{Entries: 65536, Bytes: 32 << 20}

// DefaultEvalsPerGeneration is the default of Options.EvalsPerGeneration:
// about 30 MB of CUE evaluation state at most per generation (measured:
// 7.5 KB per evaluation of a restricted rule), and a new generation, which
// takes about 6 ms to compile (every profile of the embedded bundle),
// every 4096 evaluations.
const DefaultEvalsPerGeneration = 4096

func (o Options) normalized() Options {
	if o.Cache.Entries <= 0 {
		o.Cache.Entries = DefaultCache.Entries
	}
	if o.Cache.Bytes <= 0 {
		o.Cache.Bytes = DefaultCache.Bytes
	}
	if o.EvalsPerGeneration <= 0 {
		o.EvalsPerGeneration = DefaultEvalsPerGeneration
	}
	return o
}

// Bundle is a compiled policy bundle. It is safe for concurrent use: every
// request evaluates the same compiled rules, and what changes (the
// generation, the outcome cache, the fault counters) is synchronized.
type Bundle struct {
	digest   string
	source   string
	fsys     fs.FS
	opts     Options
	profiles []Profile
	rules    []Rule
	// rulePos is where each rule is declared: "restricted.cue:12:7".
	rulePos   []string
	byID      map[string]int
	byProfile map[string]*profileRules

	src   *bundleSource
	forms []*form
	// settleMu serializes compiling forms into a generation, and so what
	// compiling a form for the first time settles about it (see
	// form.settled).
	settleMu sync.Mutex
	// defs holds, by form id, the definition of each form in an
	// evaluation file; a form that falls back to the whole bundle when it
	// settles changes its own. Guarded by settleMu.
	defs []formDef

	// exceptionForms holds, by rule index, the form of the rule's
	// exception terms; nil for a rule that cannot be excepted. They are
	// evaluated only for the rules an intent asks to except.
	exceptionForms []*form
	// refusals holds, by rule index, the bundle's message for a rule that
	// allows no exception (its allowed is false); "" when it says none.
	refusals []string

	gen      atomic.Pointer[generation]
	genMu    sync.Mutex
	genSeq   atomic.Int64
	cache    *lru.Cache[*outcome]
	faults   []atomic.Uint64
	excepted []atomic.Uint64
}

// bundleSource is what a generation is compiled from: the bundle's files
// and the evaluation prelude's, parsed once at load and never changed
// after (wrapForms copies what it uses).
type bundleSource struct {
	pkg     string
	files   map[string]*ast.File
	order   []string
	outside map[string]bool
}

type profileRules struct {
	// index is the profile's position in the bundle's profiles, by name.
	index int
	// intent and manifest are the profile's rules of each stage, by index.
	intent, manifest []int
	// forms lists, per input, the profile's forms that read it.
	forms [numInputs][]*form
	// compiled lists, by id, the forms a generation compiles for the
	// profile: its forms and the exception forms of its rules.
	compiled []*form
	// together holds, per input, what the profile's forms that read it
	// read between them (see groupReads).
	together [numInputs]struct {
		once sync.Once
		set  *reads.Set
	}
	// intentReads is what every form on the whole intent reads between
	// them (see wholeIntentReads).
	intentReadsOnce sync.Once
	intentReads     *reads.Set
}

// wholeIntentReads reports whether any form of the profile that reads the
// whole intent ({intent, params}: its violations and defaults forms and
// its rules' exception forms) may read the intent's member name: true when
// some form's reads cannot be told. It is known once the profile's forms
// are compiled (Bundle.scope); what they read between them is computed
// then, once.
func (pr *profileRules) wholeIntentReads(name string) bool {
	pr.intentReadsOnce.Do(func() {
		var onIntent []*form
		for _, f := range pr.compiled {
			if f.input == inputIntent {
				onIntent = append(onIntent, f)
			}
		}
		pr.intentReads = readsBetween(onIntent)
	})
	return pr.intentReads == nil || pr.intentReads.Reads("intent", name)
}

// groupReads returns what the profile's forms that read input kind read
// between them, their conditions included: two inputs that project alike
// onto it get the same outcome from every one of those forms. Nil when
// some form's reads cannot be told (then only the whole input says). It
// is known once the profile's forms are compiled (Bundle.scope), and
// computed then, once.
func (pr *profileRules) groupReads(kind inputKind) *reads.Set {
	t := &pr.together[kind]
	t.once.Do(func() { t.set = readsBetween(pr.forms[kind]) })
	return t.set
}

// readsBetween is what fs read between them, their conditions included;
// nil when some form's reads cannot be told. A form that does not compile
// is left out: its outcome is its fault, whatever the input.
func readsBetween(fs []*form) *reads.Set {
	var sets []*reads.Set
	for _, f := range fs {
		if f.broken != "" {
			continue
		}
		sets = append(sets, f.reads)
		if f.conds != nil {
			sets = append(sets, f.conds)
		}
	}
	return reads.Union(sets...)
}

var defaultBundle = sync.OnceValues(func() (*Bundle, error) { return Embedded(Options{}) })

// Default returns the embedded default bundle with default Options,
// compiled once per process.
func Default() (*Bundle, error) { return defaultBundle() }

// Embedded compiles the embedded default bundle with opts. With
// opts.Lazy it takes the bundle's facts computed when podc was built
// (embeddedFacts) instead of building the bundle with podc's schema, if
// they were made for exactly these files and this prelude; otherwise, and
// without Lazy, it loads the bundle as Load does.
func Embedded(opts Options) (*Bundle, error) {
	var facts *bundleFacts
	if opts.Lazy {
		facts = embeddedFacts
	}
	return load(policies.FS(), SourceEmbedded, opts, facts)
}

// LoadDir loads the bundle in dir: its *.cue files (not subdirectories).
// Errors name each file by its name in dir (rules.cue:12:3); the
// LoadError's Source names dir.
func LoadDir(dir string, opts Options) (*Bundle, error) {
	st, err := os.Stat(dir)
	if err != nil {
		return nil, &LoadError{Source: dir, Problems: []string{err.Error()}}
	}
	if !st.IsDir() {
		return nil, &LoadError{Source: dir, Problems: []string{"not a directory"}}
	}
	return Load(os.DirFS(dir), dir, opts)
}

// Load compiles the bundle made of the *.cue files at the root of fsys.
// source names it in errors and Status: a directory, or "embedded". Every
// problem is reported at once, as a *LoadError.
func Load(fsys fs.FS, source string, opts Options) (*Bundle, error) {
	return load(fsys, source, opts, nil)
}

// load is Load, taking facts (see bundleFacts) in place of building the
// bundle with podc's schema when they were made for exactly the files in
// fsys and podc's prelude; facts may be nil.
func load(fsys fs.FS, source string, opts Options, facts *bundleFacts) (*Bundle, error) {
	names, err := fs.Glob(fsys, "*.cue")
	if err != nil {
		return nil, &LoadError{Source: source, Problems: []string{err.Error()}}
	}
	sort.Strings(names)
	if len(names) == 0 {
		return nil, &LoadError{Source: source, Problems: []string{"no .cue files"}}
	}

	h := sha256.New()
	var files []*ast.File
	var problems []string
	src := &bundleSource{files: map[string]*ast.File{}, outside: map[string]bool{}}
	for _, name := range names {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			problems = append(problems, err.Error())
			continue
		}
		fmt.Fprintf(h, "%s\x00%d\x00", name, len(data))
		h.Write(data)
		f, err := parser.ParseFile(name, data)
		if err != nil {
			problems = append(problems, cueProblems(err)...)
			continue
		}
		src.files[name] = f
		src.order = append(src.order, name)
		p := f.PackageName()
		switch {
		case p == "":
			problems = append(problems, name+":1:1: a package clause is required")
			continue
		case src.pkg == "":
			src.pkg = p
		case p != src.pkg:
			problems = append(problems, fmt.Sprintf("%s: package %s, but the bundle's other files are package %s", name, p, src.pkg))
			continue
		}
		files = append(files, f)
	}
	if len(problems) > 0 {
		return nil, &LoadError{Source: source, Problems: problems}
	}
	pre, err := parser.ParseFile(preludeName, preludeSource(src.pkg))
	if err != nil {
		return nil, fmt.Errorf("policy prelude: %w", err)
	}

	digest := "sha256:" + hex.EncodeToString(h.Sum(nil))
	if facts != nil && facts.key != factsKey(digest) {
		facts = nil // made for other files, or another prelude
	}

	var root cue.Value
	if facts == nil {
		// The bundle with the prelude's schema, in a context of its own
		// that is dropped once the metadata is read.
		inst := build.NewContext().NewInstance("", nil)
		inst.PkgName = src.pkg
		for _, f := range append(files, pre) {
			if err := inst.AddSyntax(f); err != nil {
				return nil, &LoadError{Source: source, Problems: cueProblems(err)}
			}
		}
		root = cuecontext.New().BuildInstance(inst)
		if err := root.Err(); err != nil {
			return nil, &LoadError{Source: source, Problems: cueProblems(err)}
		}
		if err := root.Validate(); err != nil {
			return nil, &LoadError{Source: source, Problems: cueProblems(err)}
		}
	}

	const defsName = "podc-schema.cue"
	inputs, defs, err := evalPrelude(src.pkg, pre)
	if err != nil {
		return nil, fmt.Errorf("policy prelude: %w", err)
	}
	src.files[preludeName], src.files[defsName] = inputs, defs
	src.order = append(src.order, preludeName, defsName)
	src.outside[defsName] = true

	b := &Bundle{
		digest:    digest,
		source:    source,
		fsys:      fsys,
		opts:      opts.normalized(),
		src:       src,
		byID:      map[string]int{},
		byProfile: map[string]*profileRules{},
	}
	var metas []ruleMeta
	var allowed []cue.Value
	if facts == nil {
		metas, allowed, problems = b.readMetadata(root, declaredRules(files))
		if len(problems) > 0 {
			return nil, &LoadError{Source: source, Problems: problems}
		}
	} else {
		metas = b.takeFacts(facts)
	}
	b.setRules(metas)
	b.faults = make([]atomic.Uint64, len(b.rules))
	b.excepted = make([]atomic.Uint64, len(b.rules))
	b.cache = lru.New[*outcome](b.opts.Cache, (*outcome).size)
	termReads, err := b.buildForms(metas, facts == nil)
	if err != nil {
		return nil, err
	}
	if facts == nil {
		if problems := b.settleTerms(allowed, termReads); len(problems) > 0 {
			return nil, &LoadError{Source: source, Problems: problems}
		}
	} else {
		b.settleFromFacts(facts)
	}
	b.listCompiled()
	b.gen.Store(b.newGeneration())
	if !b.opts.Lazy {
		if err := b.CompileProfiles(); err != nil {
			return nil, err
		}
	}
	return b, nil
}

// settleTerms tells, for each rule with exception terms, whether its
// allowed depends on the intent: it does unless its exception form reads
// no input (termReads, by rule index: what the form's syntax reads, nil
// when that cannot be told). Only then is allowed's value at load
// (allowed, by rule index) the one every request would see: a rule whose
// allowed is then false cannot be excepted. An allowed that reads the
// input is left to each request: at load its input is only the schema,
// where a default such as *intent.labels.team | "" takes its default.
func (b *Bundle) settleTerms(allowed []cue.Value, termReads []*reads.Set) []string {
	var problems []string
	for i, f := range b.exceptionForms {
		if f == nil {
			continue
		}
		t := b.rules[i].Exception
		if termReads[i] == nil || !termReads[i].Empty() {
			t.Conditional = true
			continue
		}
		ok, err := allowed[i].Bool()
		switch {
		case err != nil:
			problems = append(problems, fmt.Sprintf("%s: rules[%q].exception.allowed: %v", b.rulePos[i], b.rules[i].ID, err))
		case !ok:
			b.rules[i].Exception, b.exceptionForms[i] = nil, nil
		}
	}
	return problems
}

// metadataFields are a rule's fields read once at load; a rule's form
// leaves them out, so a request never evaluates them.
var metadataFields = []string{"id", "profiles", "severity", "stage", "message", "description", "each"}

// buildForms makes every rule's forms, from metas, by rule index; they
// settle when a generation first compiles a profile of theirs
// (compileScope). With termReads it returns, by rule index, what each
// exception form reads, from its syntax, which says at load whether the
// rule's exception terms depend on the intent (settleTerms).
func (b *Bundle) buildForms(metas []ruleMeta, termReads bool) ([]*reads.Set, error) {
	for i, r := range b.rules {
		if metas[i].violations {
			b.forms = append(b.forms, &form{rule: i, part: partViolations, input: inputOf(r.Stage, r.Each)})
		}
		if r.Defaults {
			b.forms = append(b.forms, &form{rule: i, part: partDefaults, input: inputOf(diag.StageIntentPolicy, r.Each)})
		}
	}
	// A rule's exception terms are read on the whole intent, whatever the
	// rule reads: an exception is the intent's, not a container's.
	b.exceptionForms = make([]*form, len(b.rules))
	var exceptions []*form
	for i, m := range metas {
		if m.exception {
			f := &form{rule: i, part: partException, input: inputIntent}
			b.forms = append(b.forms, f)
			b.exceptionForms[i] = f
			exceptions = append(exceptions, f)
		}
	}
	for id, f := range b.forms {
		f.id = id
		f.name = "#F" + strconv.Itoa(id)
		f.result = cue.MakePath(cue.Str(b.rules[f.rule].ID), cue.Str(f.part.field()))
		b.defs = append(b.defs, formDef{name: f.name, keep: b.trimmed(f)})
		if f.part == partException {
			continue // evaluated on request, not with the profile's forms
		}
		for _, p := range b.rules[f.rule].Profiles {
			pr := b.byProfile[p]
			pr.forms[f.input] = append(pr.forms[f.input], f)
		}
	}
	// The imports are checked here, whatever form first uses them.
	if _, err := checkImports(b.src); err != nil {
		return nil, &LoadError{Source: b.source, Problems: cueProblems(err)}
	}
	if !termReads {
		return nil, nil
	}
	rules := make([]*reads.Set, len(b.rules))
	if len(exceptions) == 0 {
		return rules, nil
	}
	defs := make([]formDef, len(exceptions))
	for i, f := range exceptions {
		defs[i] = b.defs[f.id]
	}
	wf, err := wrapForms(b.src, defs)
	if err != nil {
		return nil, &LoadError{Source: b.source, Problems: cueProblems(err)}
	}
	rs, _ := readSets(wf, exceptions)
	for i, f := range exceptions {
		rules[f.rule] = rs[i]
	}
	return rules, nil
}

// listCompiled lists, for each profile, the forms a generation compiles
// for it: its forms and the exception forms its rules still have after
// settleTerms.
func (b *Bundle) listCompiled() {
	for _, f := range b.forms {
		if f.part == partException && b.exceptionForms[f.rule] != f {
			continue // the rule cannot be excepted after all
		}
		for _, p := range b.rules[f.rule].Profiles {
			pr := b.byProfile[p]
			pr.compiled = append(pr.compiled, f)
		}
	}
}

// PrepareProfile compiles the named profile's rules now, as their first
// evaluation would: a one-shot command that knows the profile before it
// has read its intent does this on a spare processor meanwhile. What it
// finds wrong is reported by that evaluation (or CompileProfiles); an
// unknown profile is left to the evaluation to refuse. It is safe for
// concurrent use.
func (b *Bundle) PrepareProfile(name string) {
	if pr := b.byProfile[name]; pr != nil {
		_, _ = b.scope(b.gen.Load(), pr)
	}
}

// CompileProfiles compiles every profile's rules into the generation
// serving requests, as the first request of each profile would, and
// reports every rule whose form does not compile (each with its
// file:line) as a *LoadError. Load calls it unless Options.Lazy; with Lazy,
// compiler.CheckBundle does before a directory bundle serves.
func (b *Bundle) CompileProfiles() error {
	g := b.gen.Load()
	var problems []string
	for _, p := range b.profiles {
		pr := b.byProfile[p.Name]
		if _, err := b.scope(g, pr); err != nil {
			problems = append(problems, fmt.Sprintf("profile %s: %s", p.Name, strings.Join(cueProblems(err), "; ")))
		}
		for _, f := range pr.compiled {
			if f.broken == "" {
				continue
			}
			msg := fmt.Sprintf("%s: rules[%q].%s: %s", b.rulePos[f.rule], b.rules[f.rule].ID, f.part.field(), f.broken)
			if !slices.Contains(problems, msg) {
				problems = append(problems, msg)
			}
		}
	}
	if len(problems) > 0 {
		return &LoadError{Source: b.source, Problems: problems}
	}
	return nil
}

// trimmed returns the keep function of f's form: its own rule, with only
// the part f evaluates.
func (b *Bundle) trimmed(f *form) func(string) (bool, []string) {
	own := b.rules[f.rule].ID
	drop := append(slices.Clone(metadataFields), f.part.others()...)
	return func(id string) (bool, []string) {
		if _, isRule := b.byID[id]; !isRule {
			return true, nil // not a rule: a helper, keep it
		}
		return id == own, drop
	}
}

func keepAll(string) (bool, []string) { return true, nil }

// analyzeReads works out what each of fs reads from the syntax of the
// evaluation file wf that holds them.
func (b *Bundle) analyzeReads(wf *ast.File, fs []*form) {
	rs, cs := readSets(wf, fs)
	for i, f := range fs {
		if !f.whole {
			f.reads, f.conds = rs[i], cs[i]
		}
	}
}

// readSets returns what each of fs reads and what the conditions of its
// list read (see form.conds), from the syntax of the evaluation file wf
// that holds them; nil where that cannot be told.
func readSets(wf *ast.File, fs []*form) (rs, cs []*reads.Set) {
	sc := reads.Scope{Inputs: inputRoots, Top: map[ast.Node]bool{}}
	bodies := map[string]*ast.StructLit{}
	for _, d := range wf.Decls {
		if f, ok := d.(*ast.Field); ok {
			if name, _, err := ast.LabelName(f.Label); err == nil && strings.HasPrefix(name, "#F") {
				if st, ok := f.Value.(*ast.StructLit); ok {
					bodies[name] = st
					continue
				}
			}
		}
		ast.Walk(d, func(n ast.Node) bool { sc.Top[n] = true; return true }, nil)
	}
	rs, cs = make([]*reads.Set, len(fs)), make([]*reads.Set, len(fs))
	for i, f := range fs {
		body := bodies[f.name]
		if body == nil {
			continue
		}
		if r, ok := reads.Rule(body, sc); ok {
			rs[i] = r
			if c, ok := reads.Conds(body, sc); ok {
				cs[i] = c
			}
		}
	}
	return rs, cs
}

// readMetadata reads the profiles and each rule's metadata, which must be
// concrete. It returns the rules sorted by id and, by rule index, its
// exception's allowed as the bundle alone makes it (see settleTerms).
func (b *Bundle) readMetadata(root cue.Value, declared map[string]string) ([]ruleMeta, []cue.Value, []string) {
	var problems []string
	at := func(v cue.Value) string {
		if p := v.Pos(); p.IsValid() {
			return fmt.Sprintf("%s:%d:%d", p.Filename(), p.Line(), p.Column())
		}
		return ""
	}
	bad := func(v cue.Value, format string, args ...any) {
		msg := fmt.Sprintf(format, args...)
		if pos := at(v); pos != "" {
			msg = pos + ": " + msg
		}
		problems = append(problems, msg)
	}

	it, err := root.LookupPath(cue.MakePath(cue.Str("profiles"))).Fields()
	if err != nil {
		return nil, nil, cueProblems(err)
	}
	for it.Next() {
		name := it.Selector().Unquoted()
		desc, err := it.Value().LookupPath(cue.MakePath(cue.Str("description"))).String()
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
	for i, p := range b.profiles {
		b.byProfile[p.Name].index = i
	}

	it, err = root.LookupPath(cue.MakePath(cue.Str("rules"))).Fields()
	if err != nil {
		return nil, nil, append(problems, cueProblems(err)...)
	}
	type read struct {
		ruleMeta
		allowed cue.Value
	}
	var reads []read
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
		if err := v.LookupPath(cue.MakePath(cue.Str("profiles"))).Decode(&r.Profiles); err != nil {
			bad(v, "rules[%q].profiles: %v", id, err)
		}
		for _, p := range r.Profiles {
			if b.byProfile[p] == nil {
				bad(v, "rules[%q].profiles: unknown profile %q (the bundle declares %s)", id, p, b.profileList())
			}
		}
		r.Defaults = v.LookupPath(cue.MakePath(cue.Str("defaults"))).Exists()
		if e := v.LookupPath(cue.MakePath(cue.Str("each"))); e.Exists() {
			if r.Each, err = e.String(); err != nil || r.Each != "container" {
				bad(v, "rules[%q].each: must be \"container\"", id)
			}
		}
		pos := declared[id]
		if pos == "" {
			pos = at(v)
		}
		ex := v.LookupPath(cue.MakePath(cue.Str("exception")))
		if ex.Exists() {
			if r.Exception, err = readTerms(ex); err != nil {
				problems = append(problems, fmt.Sprintf("%s: rules[%q].exception.%v", pos, id, err))
			}
		}
		refusal, _ := ex.LookupPath(cue.MakePath(cue.Str("message"))).String()
		reads = append(reads, read{ruleMeta{
			Rule:       r,
			pos:        pos,
			refusal:    refusal,
			violations: v.LookupPath(cue.MakePath(cue.Str("violations"))).Exists(),
			exception:  r.Exception != nil,
		}, ex.LookupPath(cue.MakePath(cue.Str("allowed")))})
	}
	slices.SortFunc(reads, func(x, y read) int { return strings.Compare(x.ID, y.ID) })
	metas := make([]ruleMeta, len(reads))
	allowed := make([]cue.Value, len(reads))
	for i, r := range reads {
		metas[i], allowed[i] = r.ruleMeta, r.allowed
	}
	return metas, allowed, problems
}

// ruleMeta is what load knows of a rule besides its forms.
type ruleMeta struct {
	// Rule is the rule's metadata; its exception terms as read, until
	// settleTerms settles them.
	Rule
	// pos is where the rule is declared: "restricted.cue:12:7".
	pos string
	// refusal is the bundle's message for a rule that allows no
	// exception; "" when it says none.
	refusal string
	// violations: the rule declares violations.
	violations bool
	// exception: the rule declares exception terms, so it has an
	// exception form, even if settleTerms finds they allow no intent.
	exception bool
}

// setRules records metas, sorted by id, as the bundle's rules; the
// profiles are known.
func (b *Bundle) setRules(metas []ruleMeta) {
	for i, m := range metas {
		b.rules = append(b.rules, m.Rule)
		b.rulePos = append(b.rulePos, m.pos)
		b.refusals = append(b.refusals, m.refusal)
		b.byID[m.ID] = i
		for _, p := range m.Profiles {
			pr := b.byProfile[p]
			if pr == nil {
				continue
			}
			if m.Stage == diag.StageIntentPolicy {
				pr.intent = append(pr.intent, i)
			} else {
				pr.manifest = append(pr.manifest, i)
			}
		}
	}
}

// readTerms reads the terms of a rule's exception, v, that hold for
// every intent: requireExpiry and maxDays, which must be concrete and are
// read once, here. allowed and message are read on every request that
// asks for the exception, from the rule's exception form (settleTerms says
// whether allowed depends on the intent). An error starts with the field
// it is about.
func readTerms(v cue.Value) (*ExceptionTerms, error) {
	t := &ExceptionTerms{}
	var err error
	if t.RequireExpiry, err = v.LookupPath(cue.MakePath(cue.Str("requireExpiry"))).Bool(); err != nil {
		return nil, fmt.Errorf("requireExpiry: must be true or false, the same for every intent: %v", err)
	}
	if d := v.LookupPath(cue.MakePath(cue.Str("maxDays"))); d.Exists() {
		n, err := d.Int64()
		if err != nil || n < 1 || n > maxExceptionDays {
			return nil, fmt.Errorf("maxDays: must be a whole number of days from 1 to %d, the same for every intent", maxExceptionDays)
		}
		t.MaxDays, t.RequireExpiry = int(n), true
	}
	return t, nil
}

// maxExceptionDays bounds a rule's exception.maxDays: about 100 years.
const maxExceptionDays = 36500

// declaredRules finds where each rule is declared: the first plain field
// of a top-level rules struct with its id, as "file.cue:line:col".
func declaredRules(files []*ast.File) map[string]string {
	out := map[string]string{}
	for _, f := range files {
		for _, d := range f.Decls {
			fd, ok := d.(*ast.Field)
			if !ok {
				continue
			}
			if name, _, err := ast.LabelName(fd.Label); err != nil || name != "rules" {
				continue
			}
			st, ok := fd.Value.(*ast.StructLit)
			if !ok {
				continue
			}
			for _, e := range st.Elts {
				rf, ok := e.(*ast.Field)
				if !ok {
					continue
				}
				id, _, err := ast.LabelName(rf.Label)
				if p := rf.Pos(); err == nil && out[id] == "" && p.IsValid() {
					out[id] = fmt.Sprintf("%s:%d:%d", p.Filename(), p.Line(), p.Column())
				}
			}
		}
	}
	return out
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
		out[i] = cloneRule(out[i])
	}
	return out
}

// cloneRule copies r, so a caller cannot change the bundle's.
func cloneRule(r Rule) Rule {
	r.Profiles = slices.Clone(r.Profiles)
	if r.Exception != nil {
		t := *r.Exception
		r.Exception = &t
	}
	return r
}

// Rule returns the rule with the given id.
func (b *Bundle) Rule(id string) (Rule, bool) {
	i, ok := b.byID[id]
	if !ok {
		return Rule{}, false
	}
	return cloneRule(b.rules[i]), true
}

// RulePosition is where the rule is declared in the bundle:
// "restricted.cue:12:7"; empty for an unknown rule.
func (b *Bundle) RulePosition(id string) string {
	if i, ok := b.byID[id]; ok {
		return b.rulePos[i]
	}
	return ""
}

// HasProfile reports whether the bundle declares the profile.
func (b *Bundle) HasProfile(name string) bool { return b.byProfile[name] != nil }

// unknownProfile is the Invalid error for a profile the bundle lacks.
func (b *Bundle) unknownProfile(name string) error {
	return &diag.Error{Kind: diag.Invalid, Findings: []diag.Finding{
		diag.Denyf(diag.StageIntent, "profile", "unknown profile %q; the policy bundle has: %s", name, b.profileList()),
	}}
}
