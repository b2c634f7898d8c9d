package policy

import (
	"sync/atomic"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/build"
	"cuelang.org/go/cue/cuecontext"
)

// A generation is the bundle's forms compiled into one cue.Context. Every
// evaluation compiles its input into that context, which keeps all of it
// until the context is dropped: CUE offers no way to free part of a
// context. So a generation serves Options.EvalsPerGeneration evaluations;
// then the forms are compiled into a fresh context, off the request path,
// and the old generation is dropped once the requests using it finish.
// The memory of CUE evaluation is thus bounded by configuration, not by
// traffic.
type generation struct {
	seq   int64
	ctx   *cue.Context
	scope cue.Value
	// evals counts the form evaluations compiled into ctx.
	evals atomic.Int64
	// renewing is set once a successor is being compiled.
	renewing atomic.Bool
}

// compileForms compiles every form into a new generation.
func (b *Bundle) compileForms() (*generation, error) {
	wf, err := wrapForms(b.src, b.defs)
	if err != nil {
		return nil, err
	}
	return b.compileFile(wf)
}

// compileFile compiles an evaluation file made by wrapForms into a new
// generation.
func (b *Bundle) compileFile(wf *ast.File) (*generation, error) {
	inst := build.NewContext().NewInstance("", nil)
	inst.PkgName = b.src.pkg
	if err := inst.AddSyntax(wf); err != nil {
		return nil, err
	}
	ctx := cuecontext.New()
	v := ctx.BuildInstance(inst)
	if err := v.Err(); err != nil {
		return nil, err
	}
	return &generation{seq: b.genSeq.Add(1), ctx: ctx, scope: v}, nil
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

func (b *Bundle) renew(old *generation) {
	b.genMu.Lock()
	defer b.genMu.Unlock()
	if b.gen.Load() != old {
		return
	}
	g, err := b.compileForms()
	if err != nil {
		// The same forms compiled at load, so this cannot happen short of
		// a fault in podc; the old generation keeps serving and tries again
		// after as many evaluations again.
		old.evals.Store(0)
		old.renewing.Store(false)
		return
	}
	b.gen.Store(g)
}

// Generation reports the sequence number of the generation serving
// requests and how many evaluations it has served; for tests and metrics.
func (b *Bundle) Generation() (seq, evals int64) {
	g := b.gen.Load()
	return g.seq, g.evals.Load()
}
