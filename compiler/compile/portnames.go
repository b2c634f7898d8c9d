package compile

import (
	"google.golang.org/protobuf/proto"

	"github.com/podc-dev/podc/compiler/diag"
	"github.com/podc-dev/podc/compiler/intent"
	"github.com/podc-dev/podc/compiler/provenance"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// namePorts names the exposed ports of app containers and sidecars that
// have no name, after their protocol and number ("tcp-8080"): Services
// target ports by name. It compiles a copy of the intent with the names
// written in, reports each as a default and keeps which ports it named.
func (b *builder) namePorts() {
	var wi *podcv1.WorkloadIntent
	for _, g := range []struct {
		field string
		list  func(*podcv1.WorkloadIntent) []*podcv1.Container
	}{
		{"containers", (*podcv1.WorkloadIntent).GetContainers},
		{"sidecars", (*podcv1.WorkloadIntent).GetSidecars},
	} {
		for i, c := range g.list(b.wi) {
			for j, pt := range c.GetPorts() {
				name := intent.PortName(pt)
				if pt.GetName() != "" || name == "" {
					continue
				}
				if wi == nil {
					wi = proto.Clone(b.wi).(*podcv1.WorkloadIntent)
					b.generatedPorts = map[string]bool{}
				}
				g.list(wi)[i].GetPorts()[j].Name = name
				p := diag.Path(g.field).Index(i).Field("ports").Index(j)
				b.generatedPorts[p.String()] = true
				b.def(p.Field("name"), name, "unset: an exposed port is targeted by name, so it is named after its protocol and number")
				b.note("%s has no name: it is named %q, after its protocol and number, which its Services target", p, name)
			}
		}
	}
	if wi != nil {
		b.wi = wi
	}
}

// portName is where the name of the port at intent path p (ip in the
// record) came from: the intent, or namePorts.
func (b *builder) portName(p diag.Path, ip provenance.Path) provenance.From {
	return from(!b.generatedPorts[p.String()], b.rec.In(ip, "name"))
}

// selectorNote says, when the intent keeps a selector, what selects the
// pods and where podc's own labels go.
func (b *builder) selectorNote() {
	if len(b.wi.GetSelector()) == 0 {
		return
	}
	b.note("the selector is kept from the intent: the workload and its Services select with it and the pods carry it; podc's own labels are on the objects and the pods but not in the selector, so pods already running stay selected")
}
