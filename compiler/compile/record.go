package compile

import "github.com/podc-dev/podc/compiler/provenance"

// from is where a field came from: the intent field p when the intent set
// it, else a compiler default standing for p.
func from(set bool, p provenance.Path) provenance.From {
	if set {
		return provenance.FromIntent(p)
	}
	return provenance.CompilerDefault(p)
}

// put records field name of parent as the value of intent field p.
func (b *builder) put(parent provenance.Node, name string, p provenance.Path) provenance.Node {
	return b.rec.Field(parent, name, provenance.FromIntent(p))
}

// putIf records field name of parent as the value of intent field p when
// the field is written (set).
func (b *builder) putIf(set bool, parent provenance.Node, name string, p provenance.Path) {
	if set {
		b.put(parent, name, p)
	}
}

// putStrings records the list of strings written as field name of parent,
// element by element, from the intent list p; nothing when it is empty,
// as an empty list is not written.
func (b *builder) putStrings(parent provenance.Node, name string, p provenance.Path, n int) {
	if n == 0 {
		return
	}
	l := b.put(parent, name, p)
	for i := range n {
		b.rec.Index(l, i, provenance.FromIntent(b.rec.At(p, i)))
	}
}

// in returns the intent path of the top-level intent field name.
func (b *builder) in(name string) provenance.Path { return b.rec.In(provenance.Intent, name) }
