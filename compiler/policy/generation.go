package policy

import (
	"strings"
	"sync"
	"sync/atomic"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/build"
	"cuelang.org/go/cue/cuecontext"
)

// A generation is one cue.Context into which the bundle's forms are
// compiled, a scope per profile. Every evaluation compiles its input into
// that context, which keeps all of it until the context is dropped: CUE
// offers no way to free part of a context. So a generation serves
// Options.EvalsPerGeneration evaluations; then the forms are compiled into
// a fresh context, off the request path, and the old generation is
// dropped once the requests using it finish. The memory of CUE evaluation
// is thus bounded by configuration, not by traffic.
//
// A profile's forms are compiled into a generation on the profile's first
// use in it (scope), or all at once by CompileProfiles; a successor
// compiles, before it serves, every profile its predecessor had compiled.
type generation struct {
	seq int64
	ctx *cue.Context
	// scopes holds, by profile index, the profile's compiled forms.
	scopes []profileScope
	// evals counts the form evaluations compiled into ctx.
	evals atomic.Int64
	// renewing is set once a successor is being compiled.
	renewing atomic.Bool
}

// profileScope is one profile's forms compiled into a generation: the
// evaluation file of its forms, in whose scope its jobs are compiled.
type profileScope struct {
	once sync.Once
	v    cue.Value
	// err is why the profile's evaluation file did not compile, though
	// each of its forms compiled on its own: a fault in podc, which fails
	// every evaluation of the profile as a fault of its rules.
	err error
	// done is set once the scope is compiled (or failed to).
	done atomic.Bool
}

func (b *Bundle) newGeneration() *generation {
	return &generation{seq: b.genSeq.Add(1), ctx: cuecontext.New(), scopes: make([]profileScope, len(b.profiles))}
}

// scope returns the profile's forms compiled into g, compiling them on
// first use. Concurrent first uses wait for one compile.
func (b *Bundle) scope(g *generation, pr *profileRules) (cue.Value, error) {
	s := &g.scopes[pr.index]
	s.once.Do(func() {
		b.settleMu.Lock()
		defer b.settleMu.Unlock()
		s.v, s.err = b.compileScope(g.ctx, pr.compiled)
		s.done.Store(true)
	})
	return s.v, s.err
}

// compileScope compiles the evaluation file of fs into ctx, settling the
// forms compiled for the first time: a form trimmed to its rule that does
// not compile (its rule refers to other rules) keeps the whole bundle
// instead, and one that does not compile even so is broken and left out.
// The caller holds settleMu.
func (b *Bundle) compileScope(ctx *cue.Context, fs []*form) (cue.Value, error) {
	var fresh []*form
	for _, f := range fs {
		if !f.settled {
			fresh = append(fresh, f)
		}
	}
	wf, err := b.wrap(fs)
	if err != nil {
		return cue.Value{}, err
	}
	if len(fresh) == 0 {
		return compileFile(ctx, b.src.pkg, wf)
	}
	b.analyzeReads(wf, fresh)
	v, err := compileFile(ctx, b.src.pkg, wf)
	if err == nil {
		for _, f := range fresh {
			f.settled = true
		}
		return v, nil
	}
	// Find the forms at fault, each on its own in a context of its own.
	for _, f := range fresh {
		f.settled = true
		if b.compiles(b.defs[f.id]) == nil {
			continue
		}
		f.whole, f.reads, f.conds = true, nil, nil
		b.defs[f.id].keep = keepAll
		if err := b.compiles(b.defs[f.id]); err != nil {
			f.broken = strings.Join(cueProblems(err), "; ")
		}
	}
	if wf, err = b.wrap(fs); err != nil {
		return cue.Value{}, err
	}
	return compileFile(ctx, b.src.pkg, wf)
}

// wrap builds the evaluation file of fs, leaving out the broken ones.
func (b *Bundle) wrap(fs []*form) (*ast.File, error) {
	defs := make([]formDef, 0, len(fs))
	for _, f := range fs {
		if f.broken == "" {
			defs = append(defs, b.defs[f.id])
		}
	}
	return wrapForms(b.src, defs)
}

// compiles reports why the evaluation file of the one definition d does
// not compile, in a context of its own; nil when it does.
func (b *Bundle) compiles(d formDef) error {
	wf, err := wrapForms(b.src, []formDef{d})
	if err == nil {
		_, err = compileFile(cuecontext.New(), b.src.pkg, wf)
	}
	return err
}

// compileFile compiles an evaluation file made by wrapForms, of package
// pkg, into ctx.
func compileFile(ctx *cue.Context, pkg string, wf *ast.File) (cue.Value, error) {
	inst := build.NewContext().NewInstance("", nil)
	inst.PkgName = pkg
	if err := inst.AddSyntax(wf); err != nil {
		return cue.Value{}, err
	}
	v := ctx.BuildInstance(inst)
	if err := v.Err(); err != nil {
		return cue.Value{}, err
	}
	return v, nil
}

// counted records n evaluations in g and, when g has served its share,
// compiles its successor in the background. Requests keep using g until
// the successor is in place.
func (b *Bundle) counted(g *generation, n int) {
	if g.evals.Add(int64(n)) < int64(b.opts.EvalsPerGeneration) || !g.renewing.CompareAndSwap(false, true) {
		return
	}
	go b.renew(g)
}

// renew compiles old's successor: every profile old has compiled, so no
// request waits for a compile that old had done. A profile first used
// meanwhile is compiled on its first use in the successor.
func (b *Bundle) renew(old *generation) {
	b.genMu.Lock()
	defer b.genMu.Unlock()
	if b.gen.Load() != old {
		return
	}
	g := b.newGeneration()
	for _, p := range b.profiles {
		pr := b.byProfile[p.Name]
		if !old.scopes[pr.index].done.Load() {
			continue
		}
		if _, err := b.scope(g, pr); err != nil {
			// The same forms compiled into old, so this cannot happen
			// short of a fault in podc; the old generation keeps serving
			// and tries again after as many evaluations again.
			old.evals.Store(0)
			old.renewing.Store(false)
			return
		}
	}
	b.gen.Store(g)
}

// Generation reports the sequence number of the generation serving
// requests and how many evaluations it has served; for tests and metrics.
func (b *Bundle) Generation() (seq, evals int64) {
	g := b.gen.Load()
	return g.seq, g.evals.Load()
}
