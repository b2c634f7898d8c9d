package policy

import (
	"slices"
	"strconv"
	"strings"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/build"
	"cuelang.org/go/cue/token"

	"github.com/podc-dev/podc/compiler/diag"
	"github.com/podc-dev/podc/internal/lru"
)

// inputRoots are the names of a request's inputs (see prelude.cue).
var inputRoots = map[string]bool{
	"intent": true, "manifests": true, "params": true,
	"container": true, "pod": true, "workload": true,
}

// A readSet is what a rule reads of its input: a tree of field names, where
// a leaf means the whole value at that path. The outcome of a rule depends
// only on the part of the input its readSet selects, so that part keys the
// rule's own cache.
type readSet struct {
	whole    bool
	children []readChild
}

type readChild struct {
	name string
	set  *readSet
}

func (r *readSet) child(name []byte) *readSet {
	for _, c := range r.children {
		if c.name == string(name) {
			return c.set
		}
	}
	return nil
}

func (r *readSet) add(path []string) {
	for _, name := range path {
		if r.whole {
			return
		}
		c := r.child([]byte(name))
		if c == nil {
			c = &readSet{}
			r.children = append(r.children, readChild{name, c})
		}
		r = c
	}
	r.whole, r.children = true, nil
}

// ruleReads computes the readSet of a per-rule form: the body of a
// definition produced by wrapForms for one rule. It reports false when the
// reads cannot be told from the source: the body declares anything but the
// inputs and rules, or a rule refers to a declaration of the bundle other
// than the profiles, the parameters, imports and the schema (another rule,
// a helper), which could read the input out of sight.
//
// The analysis is conservative: every selector chain that starts at an
// identifier named like an input counts as read (even a local of the same
// name), and an input named without a selector is read whole.
func ruleReads(body *ast.StructLit, top map[ast.Node]bool) (*readSet, bool) {
	var rulesDecls []ast.Node
	for _, d := range body.Elts {
		f, ok := d.(*ast.Field)
		if !ok {
			return nil, false
		}
		name, _, err := ast.LabelName(f.Label)
		if err != nil {
			return nil, false
		}
		switch {
		case name == "rules":
			rulesDecls = append(rulesDecls, f.Value)
		case inputRoots[name] || name == "parameters":
			// An input's declaration (`container: _`): read by reference.
			if !isTop(f.Value) {
				return nil, false
			}
		default:
			return nil, false
		}
	}
	// The nodes declared inside the rules: references to them are local.
	// The rules struct itself is not: a reference to it reads other rules.
	local := map[ast.Node]bool{}
	for _, n := range rulesDecls {
		st, isStruct := n.(*ast.StructLit)
		if !isStruct {
			return nil, false
		}
		for _, e := range st.Elts {
			ast.Walk(e, func(n ast.Node) bool { local[n] = true; return true }, nil)
		}
	}
	return inputReads(rulesDecls, local, top)
}

// ruleConds computes what the conditions of a per-rule form read, for a
// body that ruleReads accepted. It reports false unless the body's rules
// declare exactly one rule whose every field is violations or defaults, a
// list whose every element is a comprehension of `if` clauses only. Then
// the rule finds nothing exactly when every condition is false, and the
// conditions depend only on the input fields (and parameters, builtins and
// imports) they name: a condition that names anything declared inside the
// rules (a let) is refused.
func ruleConds(body *ast.StructLit, top map[ast.Node]bool) (*readSet, bool) {
	var rule *ast.StructLit
	for _, d := range body.Elts {
		f, ok := d.(*ast.Field)
		if !ok {
			return nil, false
		}
		if name, _, err := ast.LabelName(f.Label); err != nil || name != "rules" {
			continue
		}
		st, ok := f.Value.(*ast.StructLit)
		if !ok || rule != nil || len(st.Elts) != 1 {
			return nil, false
		}
		rf, ok := st.Elts[0].(*ast.Field)
		if !ok || rf.Constraint != token.ILLEGAL {
			return nil, false
		}
		if rule, ok = rf.Value.(*ast.StructLit); !ok {
			return nil, false
		}
	}
	if rule == nil {
		return nil, false
	}
	var conds []ast.Node
	for _, d := range rule.Elts {
		f, ok := d.(*ast.Field)
		if !ok || f.Constraint != token.ILLEGAL {
			return nil, false
		}
		name, _, err := ast.LabelName(f.Label)
		if err != nil || (name != "violations" && name != "defaults") {
			return nil, false
		}
		l, ok := f.Value.(*ast.ListLit)
		if !ok {
			return nil, false
		}
		for _, e := range l.Elts {
			c, ok := e.(*ast.Comprehension)
			if !ok || len(c.Clauses) == 0 {
				return nil, false
			}
			for _, cl := range c.Clauses {
				ic, ok := cl.(*ast.IfClause)
				if !ok {
					return nil, false
				}
				conds = append(conds, ic.Condition)
			}
		}
	}
	return inputReads(conds, nil, top)
}

// inputReads walks nodes and collects every input field they read. It
// reports false when a node names something whose reads cannot be told:
// the rules struct itself, or a declaration that is neither local (in
// local), part of podc's prelude (in top), an import nor a builtin.
func inputReads(nodes []ast.Node, local, top map[ast.Node]bool) (*readSet, bool) {
	rs := &readSet{}
	ok := true
	visit := func(n ast.Node) bool {
		if !ok {
			return false
		}
		switch x := n.(type) {
		case *ast.SelectorExpr:
			path, base := selectorChain(x)
			if id, isID := base.(*ast.Ident); isID && inputRoots[id.Name] {
				rs.add(append([]string{id.Name}, path...))
				return false
			}
		case *ast.Ident:
			switch {
			case inputRoots[x.Name]:
				rs.add([]string{x.Name})
			case x.Name == "rules":
				ok = false
			case x.Node == nil || local[x.Node] || top[x.Node]:
			default:
				if _, imp := x.Node.(*ast.ImportSpec); !imp {
					ok = false
				}
			}
		}
		return ok
	}
	for _, n := range nodes {
		ast.Walk(n, visit, nil)
	}
	return rs, ok
}

func isTop(e ast.Expr) bool {
	id, ok := e.(*ast.Ident)
	return ok && id.Name == "_"
}

// selectorChain splits a.b.c into [b c] and a. A selector that is not a
// plain name ends the chain there: what is left is read whole.
func selectorChain(x *ast.SelectorExpr) ([]string, ast.Expr) {
	var rev []string
	var e ast.Expr = x
	for {
		s, ok := e.(*ast.SelectorExpr)
		if !ok {
			break
		}
		name, _, err := ast.LabelName(s.Sel)
		if err != nil {
			rev = rev[:0]
		} else {
			rev = append(rev, name)
		}
		e = s.X
	}
	path := make([]string, len(rev))
	for i, n := range rev {
		path[len(rev)-1-i] = n
	}
	return path, e
}

// A jsonIndex locates the members of every object in one input, so that
// projecting the input onto many read sets scans it once: each projection
// then copies the members it selects and skips the rest without reading
// them.
type jsonIndex struct {
	src  []byte
	objs [][]jsonMember
}

type jsonMember struct {
	// key is src[keyStart:valStart]: the quoted key and its colon.
	keyStart, valStart, valEnd int
	// obj is the index in objs of the value's members when the value is an
	// object; -1 otherwise.
	obj int
}

// indexJSON indexes src, podc's own compact encoding of an input. It
// reports false if src does not parse as such.
func indexJSON(src []byte) (*jsonIndex, bool) {
	x := &jsonIndex{}
	return x, x.reset(src)
}

// reset indexes src in place of the input x indexed, reusing its memory.
func (x *jsonIndex) reset(src []byte) bool {
	x.src, x.objs = src, x.objs[:0]
	p := projector{src: src}
	_, ok := x.object(&p)
	return ok && p.i == len(src)
}

func (x *jsonIndex) object(p *projector) (int, bool) {
	if p.i >= len(p.src) || p.src[p.i] != '{' {
		return 0, false
	}
	p.i++
	id := len(x.objs)
	var ms []jsonMember
	if id < cap(x.objs) {
		x.objs = x.objs[:id+1]
		ms = x.objs[id][:0]
	} else {
		x.objs = append(x.objs, nil)
	}
	for {
		if p.i >= len(p.src) {
			return 0, false
		}
		if p.src[p.i] == '}' {
			p.i++
			x.objs[id] = ms
			return id, true
		}
		if p.src[p.i] == ',' {
			p.i++
		}
		m := jsonMember{keyStart: p.i, obj: -1}
		if !p.skipString() {
			return 0, false
		}
		if p.i >= len(p.src) || p.src[p.i] != ':' {
			return 0, false
		}
		p.i++
		m.valStart = p.i
		if p.i < len(p.src) && p.src[p.i] == '{' {
			o, ok := x.object(p)
			if !ok {
				return 0, false
			}
			m.obj = o
		} else if !p.skipValue() {
			return 0, false
		}
		m.valEnd = p.i
		ms = append(ms, m)
	}
}

// project appends to dst the part of the indexed input that rs selects, as
// JSON: the members rs names, in the input's order, objects projected onto
// the read set below them and every other value whole.
func (x *jsonIndex) project(dst []byte, rs *readSet) []byte {
	return x.projectObject(dst, 0, rs)
}

func (x *jsonIndex) projectObject(dst []byte, obj int, rs *readSet) []byte {
	dst = append(dst, '{')
	first := true
	for _, m := range x.objs[obj] {
		sub := rs.child(x.src[m.keyStart+1 : m.valStart-2])
		if sub == nil {
			continue
		}
		if !first {
			dst = append(dst, ',')
		}
		first = false
		dst = append(dst, x.src[m.keyStart:m.valStart]...)
		if !sub.whole && m.obj >= 0 {
			dst = x.projectObject(dst, m.obj, sub)
			continue
		}
		dst = append(dst, x.src[m.valStart:m.valEnd]...)
	}
	return append(dst, '}')
}

// A projector scans podc's own compact JSON encoding of an input.
type projector struct {
	src []byte
	i   int
}

func (p *projector) skipString() bool {
	if p.i >= len(p.src) || p.src[p.i] != '"' {
		return false
	}
	for p.i++; p.i < len(p.src); p.i++ {
		switch p.src[p.i] {
		case '\\':
			p.i++
		case '"':
			p.i++
			return true
		}
	}
	return false
}

func (p *projector) skipValue() bool {
	if p.i >= len(p.src) {
		return false
	}
	switch p.src[p.i] {
	case '"':
		return p.skipString()
	case '{', '[':
		depth := 0
		for p.i < len(p.src) {
			switch p.src[p.i] {
			case '"':
				if !p.skipString() {
					return false
				}
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					p.i++
					return true
				}
			}
			p.i++
		}
		return false
	default:
		for p.i < len(p.src) {
			switch p.src[p.i] {
			case ',', '}', ']':
				return true
			}
			p.i++
		}
		return true
	}
}

// A ruleForm is one rule of a unit, compiled on its own (as #R<index> in
// the unit's rule scope), with a cache of its outcomes keyed by the part of
// the input it reads. A new input thus evaluates only the rules whose reads
// changed: a new image tag re-evaluates the rules that read the image.
type ruleForm struct {
	rule       int
	viol, defs bool
	// reads is what the rule reads; nil when that cannot be told, and then
	// the whole input is the key.
	reads *readSet
	// conds is what the conditions of the rule's findings and defaults
	// read, when the rule is only `if` comprehensions (see ruleConds); nil
	// otherwise. Inputs that agree on conds agree on whether the rule finds
	// anything, so quiet caches, under the conds projection, the inputs on
	// which the rule found nothing: a new image tag on a pinned image needs
	// no evaluation of image-pinned, whose message alone reads the image.
	conds *readSet
	quiet *lru.Cache[struct{}]
	name  string
	cache *lru.Cache[ruleResult]
}

// ruleResult is what one rule produced for one input.
type ruleResult struct {
	findings []diag.Finding
	defaults []pendingDefault
}

// buildRuleForms compiles the unit's rules one by one into a single scope.
// It returns nil when that form does not compile; the unit then evaluates
// with its trimmed form only.
func (b *Bundle) buildRuleForms(u *unit, wrap func([]form) (*ast.File, error)) ([]*ruleForm, cue.Value) {
	var rules []int
	for _, i := range slices.Concat(u.viol, u.defs) {
		if !slices.Contains(rules, i) {
			rules = append(rules, i)
		}
	}
	slices.Sort(rules)
	if len(rules) == 0 {
		return nil, cue.Value{}
	}
	drop := []string{"id", "profiles", "severity", "stage", "message", "description", "each"}
	var forms []*ruleForm
	var fs []form
	for _, i := range rules {
		rf := &ruleForm{
			rule: i, viol: slices.Contains(u.viol, i), defs: slices.Contains(u.defs, i),
			name: "#R" + strconv.Itoa(i), cache: lru.New[ruleResult](cacheSize),
		}
		d := drop
		switch {
		case !rf.viol:
			d = append(slices.Clone(drop), "violations")
		case !rf.defs:
			d = append(slices.Clone(drop), "defaults")
		}
		id := b.rules[i].ID
		fs = append(fs, form{name: rf.name, keep: func(rid string) (bool, []string) {
			if _, isRule := b.byID[rid]; !isRule {
				return true, nil
			}
			return rid == id, d
		}})
		forms = append(forms, rf)
	}
	wf, err := wrap(fs)
	if err != nil {
		return nil, cue.Value{}
	}
	top := map[ast.Node]bool{}
	bodies := map[string]*ast.StructLit{}
	for _, d := range wf.Decls {
		if f, ok := d.(*ast.Field); ok {
			if name, _, err := ast.LabelName(f.Label); err == nil && strings.HasPrefix(name, "#R") {
				if st, ok := f.Value.(*ast.StructLit); ok {
					bodies[name] = st
					continue
				}
			}
		}
		ast.Walk(d, func(n ast.Node) bool { top[n] = true; return true }, nil)
	}
	for _, rf := range forms {
		if body := bodies[rf.name]; body != nil {
			if rs, ok := ruleReads(body, top); ok {
				rf.reads = rs
				if cs, ok := ruleConds(body, top); ok {
					rf.conds = cs
					rf.quiet = lru.New[struct{}](cacheSize)
				}
			}
		}
	}
	inst := build.NewContext().NewInstance("", nil)
	inst.PkgName = wf.PackageName()
	if err := inst.AddSyntax(wf); err != nil {
		return nil, cue.Value{}
	}
	v := b.ctx.BuildInstance(inst)
	if v.Err() != nil {
		return nil, cue.Value{}
	}
	return forms, v
}

// runRules evaluates the inputs srcs[k], k in missing, rule by rule: each
// rule's outcome comes from its cache where the part of the input it reads
// was seen before, and the rest are evaluated together in one CUE source.
func (b *Bundle) runRules(u *unit, srcs [][]byte, missing []int, outs [][]ruleOut) error {
	type job struct {
		m, j int
		key  string
		// quiet is the conds projection of the input, when the rule has one.
		quiet string
	}
	res := make([][]ruleResult, len(missing))
	var jobs []job
	var scratch, condScratch []byte
	var idx jsonIndex
	// An input that misses most rules evaluates in the unit's trimmed form,
	// all rules at once, which costs less than rule by rule; its outcomes
	// fill the rules' caches.
	var whole []job
	var wholeInputs [][]byte
	var wholeM []int
	for m, k := range missing {
		res[m] = make([]ruleResult, len(u.forms))
		first := len(jobs)
		indexed := idx.reset(srcs[k])
		for j, rf := range u.forms {
			in := srcs[k]
			if rf.reads != nil && indexed {
				scratch = idx.project(scratch[:0], rf.reads)
				in = scratch
			}
			if r, ok := rf.cache.GetBytes(in); ok {
				res[m][j] = r
				continue
			}
			var quiet []byte
			if rf.conds != nil && indexed {
				condScratch = idx.project(condScratch[:0], rf.conds)
				if _, ok := rf.quiet.GetBytes(condScratch); ok {
					continue // res[m][j] is already the empty outcome
				}
				quiet = condScratch
			}
			jobs = append(jobs, job{m: m, j: j, key: string(in), quiet: string(quiet)})
		}
		if n := len(jobs) - first; n > 1 && 2*n > len(u.forms) {
			whole = append(whole, jobs[first:]...)
			jobs = jobs[:first]
			wholeInputs = append(wholeInputs, srcs[k])
			wholeM = append(wholeM, m)
		}
	}
	if len(wholeInputs) > 0 {
		outs, err := b.evalBatch(u, u.scope, wholeInputs)
		if err != nil {
			return err
		}
		for x, m := range wholeM {
			for _, ro := range outs[x] {
				j := u.formIndex[ro.rule]
				if ro.findings != nil {
					res[m][j].findings = ro.findings
				}
				if ro.defaults != nil {
					res[m][j].defaults = ro.defaults
				}
			}
		}
		for _, jb := range whole {
			b.remember(u.forms[jb.j], jb.key, jb.quiet, res[jb.m][jb.j])
		}
	}
	if len(jobs) > 0 {
		n := 0
		for _, jb := range jobs {
			n += len(jb.key) + 48
		}
		buf := make([]byte, 0, n)
		for x, jb := range jobs {
			buf = append(buf, 'm')
			buf = strconv.AppendInt(buf, int64(x), 10)
			buf = append(buf, ": r: ("...)
			buf = append(buf, u.forms[jb.j].name...)
			buf = append(buf, " & "...)
			buf = append(buf, jb.key...)
			buf = append(buf, ").rules\n"...)
		}
		v := b.ctx.CompileBytes(buf, cue.Filename("input.json"), cue.Scope(u.formScope))
		if err := v.Err(); err != nil {
			return err
		}
		for x, jb := range jobs {
			rf := u.forms[jb.j]
			e := v.LookupPath(cue.MakePath(cue.Str("m" + strconv.Itoa(x))))
			var r ruleResult
			var err error
			if rf.viol {
				if r.findings, err = b.readViolations(e, rf.rule, u.stage); err != nil {
					return err
				}
			}
			if rf.defs {
				if r.defaults, err = b.readDefaults(e, rf.rule); err != nil {
					return err
				}
			}
			res[jb.m][jb.j] = r
		}
		for _, jb := range jobs {
			b.remember(u.forms[jb.j], jb.key, jb.quiet, res[jb.m][jb.j])
		}
	}
	for m, k := range missing {
		ros := make([]ruleOut, 0, len(u.viol)+len(u.defs))
		for _, i := range u.viol {
			ros = append(ros, ruleOut{rule: i, findings: res[m][u.formIndex[i]].findings})
		}
		for _, i := range u.defs {
			ros = append(ros, ruleOut{rule: i, defaults: res[m][u.formIndex[i]].defaults})
		}
		outs[k] = ros
	}
	return nil
}

// remember caches a rule's outcome under its reads and, when the rule found
// nothing and has a conds projection, that projection as quiet.
func (b *Bundle) remember(rf *ruleForm, key, quiet string, r ruleResult) {
	rf.cache.Put(key, r)
	if rf.quiet != nil && quiet != "" && len(r.findings) == 0 && len(r.defaults) == 0 {
		rf.quiet.Put(quiet, struct{}{})
	}
}
