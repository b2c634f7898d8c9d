// Package randintent generates random, valid workload intents for property
// tests and fuzzing: many shapes (controllers, restart policies, init steps,
// sidecars, every probe handler, every volume kind, every protocol, node
// ports, quantities in every unit, Services formed by expose or named and
// shaped by the intent, of every type and with every field, autoscalers,
// disruption budgets, spread and network policies, exceptions to the
// policy rules it is given), each one an intent that intent.Check accepts.
// The same seed always gives the same intents.
package randintent

import (
	"math/rand"

	"github.com/podc-dev/podc/compiler/intent"
	"github.com/podc-dev/podc/compiler/target"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// Options shape the generated intents.
type Options struct {
	// Target is the Kubernetes version the intents are for; the zero value
	// means target.Default. Features the target lacks are not generated.
	Target target.Version
	// NodePorts is the platform's node port range; the zero value means
	// intent.DefaultNodePorts.
	NodePorts intent.PortRange
	// ExceptionRules are the policy rule ids the intents may ask
	// exceptions to (a bundle's, so that each names a rule it declares);
	// none when empty.
	ExceptionRules []string
}

// Generator makes a stream of random intents from a seed. It is not safe
// for concurrent use.
type Generator struct {
	r    *rand.Rand
	opts Options
}

// New returns a Generator seeded with seed, for the default options.
func New(seed int64) *Generator {
	return NewWithOptions(seed, Options{})
}

// NewWithOptions returns a Generator seeded with seed.
func NewWithOptions(seed int64, opts Options) *Generator {
	return &Generator{r: rand.New(rand.NewSource(seed)), opts: opts}
}

// Next returns the next intent.
func (g *Generator) Next() *podcv1.WorkloadIntent {
	return GenerateFor(g.r, g.opts)
}

// Generate returns a random valid intent for the default options, drawing
// from r.
func Generate(r *rand.Rand) *podcv1.WorkloadIntent {
	return GenerateFor(r, Options{})
}

// GenerateFor returns a random valid intent for opts, drawing from r.
func GenerateFor(r *rand.Rand, opts Options) *podcv1.WorkloadIntent {
	if opts.Target == (target.Version{}) {
		opts.Target = target.Default
	}
	if opts.NodePorts == (intent.PortRange{}) {
		opts.NodePorts = intent.DefaultNodePorts
	}
	b := &builder{r: r, opts: opts, names: map[string]bool{}, portNames: map[string]bool{},
		bound: map[string]bool{}, servicePorts: map[string]bool{}, nodePorts: map[string]bool{}}
	return b.workload()
}

// builder generates one intent, keeping what must be unique across the pod.
type builder struct {
	r    *rand.Rand
	opts Options
	wi   *podcv1.WorkloadIntent

	names        map[string]bool // container names
	portNames    map[string]bool
	bound        map[string]bool // containerPort/protocol
	servicePorts map[string]bool // service type, port/protocol
	nodePorts    map[string]bool // nodePort/protocol
	volumes      []string
	refs         []*podcv1.ResourceRef // named by nameRefs
}

// chance reports true with probability p.
func (b *builder) chance(p float64) bool { return b.r.Float64() < p }

// between returns an int in [lo, hi].
func (b *builder) between(lo, hi int) int { return lo + b.r.Intn(hi-lo+1) }

// pick returns one of xs.
func pick[T any](b *builder, xs ...T) T { return xs[b.r.Intn(len(xs))] }

func (b *builder) workload() *podcv1.WorkloadIntent {
	wi := &podcv1.WorkloadIntent{}
	b.wi = wi
	if b.chance(0.5) {
		wi.Namespace = b.dnsLabel(1, 20)
	}
	wi.Controller = pick(b, podcv1.Controller_CONTROLLER_UNSPECIFIED, podcv1.Controller_CONTROLLER_POD, podcv1.Controller_CONTROLLER_DEPLOYMENT)
	if wi.Controller == podcv1.Controller_CONTROLLER_DEPLOYMENT {
		if b.chance(0.7) {
			n := int32(b.between(0, 10))
			wi.Replicas = &n
		}
		wi.RestartPolicy = pick(b, podcv1.RestartPolicy_RESTART_POLICY_UNSPECIFIED, podcv1.RestartPolicy_RESTART_POLICY_ALWAYS)
	} else {
		wi.RestartPolicy = pick(b, podcv1.RestartPolicy_RESTART_POLICY_UNSPECIFIED, podcv1.RestartPolicy_RESTART_POLICY_ALWAYS,
			podcv1.RestartPolicy_RESTART_POLICY_ON_FAILURE, podcv1.RestartPolicy_RESTART_POLICY_NEVER)
	}
	switch {
	case b.chance(0.03):
		wi.HostPid = true
	case b.chance(0.2):
		wi.ShareProcessNamespace = true
	}
	wi.HostNetwork = b.chance(0.03)
	wi.HostIpc = b.chance(0.03)
	if b.chance(0.2) {
		wi.ServiceAccountName = b.dnsSubdomain()
	}
	b.labels()
	b.podSecurity()
	b.gracePeriod()
	b.rollout()
	b.scheduling()
	b.plumbing()
	b.volumeList()

	for range b.between(0, 2) {
		wi.InitSteps = append(wi.InitSteps, b.container(roleInit))
	}
	for range b.between(1, 3) {
		wi.Containers = append(wi.Containers, b.container(roleApp))
	}
	for range b.between(0, 2) {
		wi.Sidecars = append(wi.Sidecars, b.container(roleSidecar))
	}
	b.nameRefs()
	b.podResources()
	b.name()
	b.annotations()
	b.takeover()
	if b.chance(0.4) {
		b.namedServices()
	}
	b.governing()
	b.exceptions()
	return wi
}

// name picks the workload's name last, when it is known whether Services
// are emitted: a Service name starts with a letter, and the NodePort
// Service's name adds "-nodeport" to it.
func (b *builder) name() {
	cluster, node := false, false
	for _, cs := range [][]*podcv1.Container{b.wi.Containers, b.wi.Sidecars} {
		for _, c := range cs {
			for _, p := range c.Ports {
				cluster = cluster || p.Expose == podcv1.Expose_EXPOSE_CLUSTER
				node = node || p.Expose == podcv1.Expose_EXPOSE_NODE
			}
		}
	}
	maxLen := 63
	if node {
		maxLen = 63 - len(intent.NodePortSuffix)
	}
	n := b.between(1, 20)
	if b.chance(0.1) {
		n = maxLen
	}
	if cluster || node {
		b.wi.Name = b.dns1035(n)
	} else {
		b.wi.Name = b.dnsLabelLen(n)
	}
}
