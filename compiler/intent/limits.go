package intent

import (
	"google.golang.org/protobuf/proto"
	"strconv"

	"github.com/podc-dev/podc/compiler/diag"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// Limits bound the size of an intent: how many of each thing it may list
// and how long its strings may be. CheckLimits applies them before any
// other work, so every later stage handles a bounded intent. A zero field
// means its value in DefaultLimits.
type Limits struct {
	// IntentBytes bounds the whole intent, in protobuf wire bytes.
	IntentBytes int
	// Containers bounds init steps, containers and sidecars together.
	Containers int
	// PortsPerContainer bounds one container's ports; Ports the pod's.
	PortsPerContainer, Ports int
	// EnvPerContainer bounds one container's env, and separately its
	// envFrom.
	EnvPerContainer int
	// Volumes bounds the pod's volumes; MountsPerContainer one
	// container's mounts.
	Volumes, MountsPerContainer int
	// Labels and Annotations bound the intent's labels and annotations
	// (each of its label and annotation maps: the selector, the pods' and
	// the workload's own, a network policy's client labels), and
	// Annotations also each Service's own.
	Labels, Annotations int
	// Services bounds the intent's Services; each Service's ports are
	// bounded by Ports.
	Services int
	// ListItems bounds every other list: command, args, a probe's or
	// hook's exec command and HTTP headers, added and dropped capabilities, a
	// Service's load balancer source ranges, the pod's supplemental
	// groups and sysctls, a volume's items, sources and files, the
	// protection's spread and anti-affinity topology keys.
	ListItems int
	// NameBytes bounds names and references (the workload, containers,
	// ports, volumes, env variables, ConfigMaps, Secrets, keys, probe
	// ports, sysctls), label values and other short words (a strategy's
	// maxSurge and maxUnavailable, a disruption budget's maxUnavailable
	// and minAvailable).
	NameBytes int
	// KeyBytes bounds label and annotation keys.
	KeyBytes int
	// ImageBytes bounds image references.
	ImageBytes int
	// PathBytes bounds paths: working directories, mount paths and
	// subpaths, HTTP probe and hook paths, the paths of files in volumes,
	// downward API fields, token audiences.
	PathBytes int
	// ValueBytes bounds free text: env values, command and args entries,
	// annotation values, HTTP header values, sysctl values.
	ValueBytes int
	// Exceptions bounds the intent's exceptions to policy rules; each
	// one's rule id and expiry are bounded by NameBytes, its reason by
	// ReasonBytes.
	Exceptions int
	// ReasonBytes bounds an exception's reason.
	ReasonBytes int
}

// DefaultLimits are podc's limits: a real workload fits with a wide
// margin. Quantities have their own fixed bound, MaxQuantityLength.
var DefaultLimits = Limits{
	IntentBytes:        1 << 20,
	Containers:         64,
	PortsPerContainer:  256,
	Ports:              1024,
	EnvPerContainer:    1024,
	Volumes:            256,
	MountsPerContainer: 256,
	Labels:             256,
	Annotations:        256,
	Services:           64,
	ListItems:          1024,
	NameBytes:          253,
	KeyBytes:           317, // a 253-byte prefix, '/', a 63-byte name
	ImageBytes:         1024,
	PathBytes:          4096,
	ValueBytes:         256 << 10,
	Exceptions:         64,
	ReasonBytes:        1024,
}

// maxLimitFindings bounds the findings of one CheckLimits; one more finding
// says how many were left out.
const maxLimitFindings = 100

// WithDefaults returns l with every zero field set from DefaultLimits.
func (l Limits) WithDefaults() Limits {
	d := DefaultLimits
	for _, f := range []struct{ v, def *int }{
		{&l.IntentBytes, &d.IntentBytes}, {&l.Containers, &d.Containers},
		{&l.PortsPerContainer, &d.PortsPerContainer}, {&l.Ports, &d.Ports},
		{&l.EnvPerContainer, &d.EnvPerContainer}, {&l.Volumes, &d.Volumes},
		{&l.MountsPerContainer, &d.MountsPerContainer}, {&l.Labels, &d.Labels},
		{&l.Annotations, &d.Annotations}, {&l.Services, &d.Services},
		{&l.ListItems, &d.ListItems},
		{&l.NameBytes, &d.NameBytes}, {&l.KeyBytes, &d.KeyBytes},
		{&l.ImageBytes, &d.ImageBytes}, {&l.PathBytes, &d.PathBytes},
		{&l.ValueBytes, &d.ValueBytes},
		{&l.Exceptions, &d.Exceptions}, {&l.ReasonBytes, &d.ReasonBytes},
	} {
		if *f.v == 0 {
			*f.v = *f.def
		}
	}
	return l
}

// CheckLimits returns a deny finding for every count and length of wi
// beyond l (zero fields take DefaultLimits), each at its intent field path,
// and for every quantity longer than MaxQuantityLength or with an exponent
// far beyond any range ParseQuantity accepts. Its cost is
// bounded by the limits, not by the intent: a list beyond its limit is not
// looked into. Messages give lengths, never the over-long strings. At most
// 100 findings are returned, and one more that says how many were left out.
// CheckLimits is safe for concurrent use.
func CheckLimits(wi *podcv1.WorkloadIntent, l Limits) []diag.Finding {
	return CheckLimitsOfSize(wi, l, proto.Size(wi))
}

// CheckLimitsOfSize is CheckLimits for a caller that already knows the
// intent's serialized size, proto.Size(wi) (the length of any serialization
// of it made with proto.Marshal, deterministic or not), so that it need
// not be measured again.
func CheckLimitsOfSize(wi *podcv1.WorkloadIntent, l Limits, size int) []diag.Finding {
	if wi == nil {
		return nil
	}
	c := &limiter{l: l.WithDefaults()}
	if size > c.l.IntentBytes {
		c.addf(root(""), "%d bytes, at most %d", size, c.l.IntentBytes)
	}
	c.name(root("name"), wi.GetName())
	c.name(root("namespace"), wi.GetNamespace())
	c.name(root("profile"), wi.GetProfile())
	c.exceptions(wi.GetExceptions())
	c.name(root("serviceAccountName"), wi.GetServiceAccountName())
	c.stringMap(root("labels"), wi.GetLabels(), c.l.Labels, c.l.NameBytes, "labels")
	c.stringMap(root("annotations"), wi.GetAnnotations(), c.l.Annotations, c.l.ValueBytes, "annotations")
	c.stringMap(root("selector"), wi.GetSelector(), c.l.Labels, c.l.NameBytes, "labels")
	c.stringMap(root("podLabels"), wi.GetPodLabels(), c.l.Labels, c.l.NameBytes, "labels")
	c.stringMap(root("podAnnotations"), wi.GetPodAnnotations(), c.l.Annotations, c.l.ValueBytes, "annotations")
	c.stringMap(root("workloadAnnotations"), wi.GetWorkloadAnnotations(), c.l.Annotations, c.l.ValueBytes, "annotations")
	c.stringMap(root("serviceAnnotations"), wi.GetServiceAnnotations(), c.l.Annotations, c.l.ValueBytes, "annotations")
	c.podSecurity(wi.GetSecurityContext())
	c.scheduling(wi)
	c.plumbing(wi)
	for _, r := range []struct {
		field, kind string
		r           *podcv1.Resource
	}{{"cpu", "cpu", wi.GetResources().GetCpu()}, {"memory", "memory", wi.GetResources().GetMemory()}} {
		rp := root("resources." + r.field)
		c.quantity(rp.Field("request"), r.r.GetRequest(), r.kind)
		c.quantity(rp.Field("limit"), r.r.GetLimit(), r.kind)
	}
	c.name(root("strategy.maxSurge"), wi.GetStrategy().GetMaxSurge())
	c.name(root("strategy.maxUnavailable"), wi.GetStrategy().GetMaxUnavailable())
	c.volumes(wi.GetVolumes())
	c.containers(wi)
	c.services(wi.GetServices())
	c.protection(wi.GetProtection())
	if c.dropped > 0 {
		c.fs = append(c.fs, diag.Denyf(diag.StageIntent, "", "%d more problems with the intent's size; fix the ones above first", c.dropped))
	}
	return c.fs
}

// lazyPath is a field path the limiter writes out only for a finding: a step (a
// field, a list index or a map key) below its parent, or a field at the
// root. Steps are values on the stack of the calls that take them, so a
// field within its bounds costs no path: CheckLimits runs on every request.
type lazyPath struct {
	parent *lazyPath
	field  string // a field name, or dotted names; "" for an index or key alone
	index  int    // a list index after the field; -1 for none
	key    string
	isKey  bool
}

// root is the intent's field name.
func root(name string) lazyPath { return lazyPath{field: name, index: -1} }

// rootItem is item i of the intent's list field name.
func rootItem(name string, i int) lazyPath { return lazyPath{field: name, index: i} }

// Field is the field name (or dotted names) below p.
func (p *lazyPath) Field(name string) lazyPath { return lazyPath{parent: p, field: name, index: -1} }

// Item is item i of the list field name below p.
func (p *lazyPath) Item(name string, i int) lazyPath {
	return lazyPath{parent: p, field: name, index: i}
}

// Index is the list index i below p.
func (p *lazyPath) Index(i int) lazyPath { return lazyPath{parent: p, index: i} }

// Key is the map key k below p.
func (p *lazyPath) Key(k string) lazyPath { return lazyPath{parent: p, key: k, isKey: true, index: -1} }

// path writes the path out. It walks up from p without recursion, so that
// p stays on its caller's stack; the limiter's paths are a few steps deep,
// far fewer than maxSteps.
func (p *lazyPath) path() diag.Path {
	const maxSteps = 32
	var chain [maxSteps]*lazyPath
	n := 0
	for q := p; q != nil && n < maxSteps; q = q.parent {
		chain[n] = q
		n++
	}
	// Written into a buffer of its own: the path shares no memory with
	// the steps, which may then stay on the stack.
	var b []byte
	for i := n - 1; i >= 0; i-- {
		q := chain[i]
		if q.field != "" {
			if len(b) > 0 {
				b = append(b, '.')
			}
			b = append(b, q.field...)
		}
		switch {
		case q.isKey:
			b = append(b, '[')
			b = strconv.AppendQuote(b, q.key)
			b = append(b, ']')
		case q.index >= 0:
			b = append(b, '[')
			b = strconv.AppendInt(b, int64(q.index), 10)
			b = append(b, ']')
		}
	}
	return diag.Path(b)
}

// limiter collects the findings of one CheckLimits.
type limiter struct {
	l       Limits
	fs      []diag.Finding
	dropped int
}

func (c *limiter) addf(p lazyPath, format string, args ...any) {
	if len(c.fs) >= maxLimitFindings {
		c.dropped++
		return
	}
	c.fs = append(c.fs, diag.Denyf(diag.StageIntent, p.path().String(), format, args...))
}

// count reports whether n things are within max, and records a finding
// when they are not.
func (c *limiter) count(p lazyPath, n, max int, noun string) bool {
	if n <= max {
		return true
	}
	c.addf(p, "%d %s, at most %d", n, noun, max)
	return false
}

func (c *limiter) str(p lazyPath, s string, max int) {
	if len(s) > max {
		c.addf(p, "%d bytes, at most %d", len(s), max)
	}
}

func (c *limiter) name(p lazyPath, s string) { c.str(p, s, c.l.NameBytes) }

// list bounds a list of strings and each of its entries.
func (c *limiter) list(p lazyPath, ss []string, each int, noun string) {
	if !c.count(p, len(ss), c.l.ListItems, noun) {
		return
	}
	for i, s := range ss {
		c.str(p.Index(i), s, each)
	}
}

// stringMap bounds a map's entries, its keys and its values. An over-long
// key is reported at the map's path: the path would echo the key.
func (c *limiter) stringMap(p lazyPath, m map[string]string, max, valueBytes int, noun string) {
	if !c.count(p, len(m), max, noun) {
		return
	}
	for _, k := range sortedKeys(m) {
		if len(k) > c.l.KeyBytes {
			c.addf(p, "a key of %d bytes, at most %d", len(k), c.l.KeyBytes)
			continue
		}
		c.str(p.Key(k), m[k], valueBytes)
	}
}

func (c *limiter) quantity(p lazyPath, s, kind string) {
	if s == "" {
		return
	}
	if _, _, err := lexBounded(s, kind); err != nil {
		c.addf(p, "%v", err)
	}
}

func (c *limiter) volumes(vs []*podcv1.Volume) {
	if !c.count(root("volumes"), len(vs), c.l.Volumes, "volumes") {
		return
	}
	for i, v := range vs {
		p := rootItem("volumes", i)
		c.name(p.Field("name"), v.GetName())
		c.quantity(p.Field("scratch.sizeLimit"), v.GetScratch().GetSizeLimit(), "memory")
		c.name(p.Field("config.name"), v.GetConfig().GetName())
		c.keyItems(p.Field("config.items"), v.GetConfig().GetItems())
		c.name(p.Field("secret.name"), v.GetSecret().GetName())
		c.keyItems(p.Field("secret.items"), v.GetSecret().GetItems())
		c.name(p.Field("persistent.claimName"), v.GetPersistent().GetClaimName())
		c.projected(p.Field("projected"), v.GetProjected())
		c.downwardFiles(p.Field("downwardApi.items"), v.GetDownwardApi().GetItems())
	}
}

// exceptions bounds the intent's exceptions: their count, and each one's
// rule id, reason and expiry.
func (c *limiter) exceptions(es []*podcv1.PolicyException) {
	if !c.count(root("exceptions"), len(es), c.l.Exceptions, "exceptions") {
		return
	}
	for i, e := range es {
		p := rootItem("exceptions", i)
		c.name(p.Field("rule"), e.GetRule())
		c.str(p.Field("reason"), e.GetReason(), c.l.ReasonBytes)
		c.name(p.Field("expires"), e.GetExpires())
	}
}

// keyItems bounds the keys of a ConfigMap or Secret put at paths.
func (c *limiter) keyItems(p lazyPath, items []*podcv1.KeyToPath) {
	if !c.count(p, len(items), c.l.ListItems, "items") {
		return
	}
	for i, it := range items {
		ip := p.Index(i)
		c.name(ip.Field("key"), it.GetKey())
		c.str(ip.Field("path"), it.GetPath(), c.l.PathBytes)
	}
}

// projected bounds a projected volume's sources.
func (c *limiter) projected(p lazyPath, v *podcv1.ProjectedVolume) {
	if !c.count(p.Field("sources"), len(v.GetSources()), c.l.ListItems, "sources") {
		return
	}
	for i, s := range v.GetSources() {
		sp := p.Item("sources", i)
		t := s.GetServiceAccountToken()
		c.str(sp.Field("serviceAccountToken.path"), t.GetPath(), c.l.PathBytes)
		c.str(sp.Field("serviceAccountToken.audience"), t.GetAudience(), c.l.PathBytes)
		c.name(sp.Field("config.name"), s.GetConfig().GetName())
		c.keyItems(sp.Field("config.items"), s.GetConfig().GetItems())
		c.name(sp.Field("secret.name"), s.GetSecret().GetName())
		c.keyItems(sp.Field("secret.items"), s.GetSecret().GetItems())
		c.downwardFiles(sp.Field("downwardApi.items"), s.GetDownwardApi().GetItems())
	}
}

// downwardFiles bounds the files of a downward API volume or projection.
func (c *limiter) downwardFiles(p lazyPath, fs []*podcv1.DownwardApiFile) {
	if !c.count(p, len(fs), c.l.ListItems, "files") {
		return
	}
	for i, f := range fs {
		fp := p.Index(i)
		c.str(fp.Field("path"), f.GetPath(), c.l.PathBytes)
		c.str(fp.Field("field"), f.GetField(), c.l.PathBytes)
		c.resourceRef(fp.Field("resource"), f.GetResource())
	}
}

// resourceRef bounds a reference to a container's request or limit.
func (c *limiter) resourceRef(p lazyPath, r *podcv1.ResourceRef) {
	c.name(p.Field("container"), r.GetContainer())
	c.name(p.Field("resource"), r.GetResource())
	c.str(p.Field("divisor"), r.GetDivisor(), MaxQuantityLength)
}

// containers bounds the pod's containers, together and one by one, and
// the ports of the whole pod.
func (c *limiter) containers(wi *podcv1.WorkloadIntent) {
	lists := []struct {
		field string
		cs    []*podcv1.Container
	}{
		{"initSteps", wi.GetInitSteps()},
		{"containers", wi.GetContainers()},
		{"sidecars", wi.GetSidecars()},
	}
	total := 0
	for _, l := range lists {
		total += len(l.cs)
		if len(l.cs) > c.l.Containers {
			c.addf(root(l.field), "%d %s, at most %d", len(l.cs), nouns[l.field], c.l.Containers)
			return
		}
		if total > c.l.Containers {
			c.addf(root(l.field), "%d %s bring the pod to %d containers (init steps, containers and sidecars), at most %d",
				len(l.cs), nouns[l.field], total, c.l.Containers)
			return
		}
	}
	ports := 0
	for _, l := range lists {
		for i, ct := range l.cs {
			p := rootItem(l.field, i)
			c.container(p, ct)
			n := len(ct.GetPorts())
			// A container beyond its own limit is reported once, above.
			if n <= c.l.PortsPerContainer && ports <= c.l.Ports && ports+n > c.l.Ports {
				c.addf(p.Field("ports"), "%d ports bring the pod to %d ports, at most %d", n, ports+n, c.l.Ports)
			}
			ports += n
		}
	}
}

var nouns = map[string]string{"initSteps": "init steps", "containers": "containers", "sidecars": "sidecars"}

func (c *limiter) container(p lazyPath, ct *podcv1.Container) {
	c.name(p.Field("name"), ct.GetName())
	c.str(p.Field("image"), ct.GetImage(), c.l.ImageBytes)
	c.list(p.Field("command"), ct.GetCommand(), c.l.ValueBytes, "entries")
	c.list(p.Field("args"), ct.GetArgs(), c.l.ValueBytes, "entries")
	c.str(p.Field("workingDir"), ct.GetWorkingDir(), c.l.PathBytes)
	if c.count(p.Field("env"), len(ct.GetEnv()), c.l.EnvPerContainer, "variables") {
		for i, e := range ct.GetEnv() {
			ep := p.Item("env", i)
			c.name(ep.Field("name"), e.GetName())
			c.str(ep.Field("value"), e.GetValue(), c.l.ValueBytes)
			c.keyRef(ep.Field("configMapKey"), e.GetConfigMapKey())
			c.keyRef(ep.Field("secretKey"), e.GetSecretKey())
			c.str(ep.Field("field"), e.GetField(), c.l.PathBytes)
			c.resourceRef(ep.Field("resource"), e.GetResource())
		}
	}
	if c.count(p.Field("envFrom"), len(ct.GetEnvFrom()), c.l.EnvPerContainer, "sources") {
		for i, e := range ct.GetEnvFrom() {
			ep := p.Item("envFrom", i)
			c.name(ep.Field("configMap"), e.GetConfigMap())
			c.name(ep.Field("secret"), e.GetSecret())
			c.name(ep.Field("prefix"), e.GetPrefix())
		}
	}
	if c.count(p.Field("ports"), len(ct.GetPorts()), c.l.PortsPerContainer, "ports") {
		for i, port := range ct.GetPorts() {
			pp := p.Item("ports", i)
			c.name(pp.Field("name"), port.GetName())
		}
	}
	rp := p.Field("resources")
	for _, r := range []struct {
		field, kind string
		r           *podcv1.Resource
	}{
		{"cpu", "cpu", ct.GetResources().GetCpu()},
		{"memory", "memory", ct.GetResources().GetMemory()},
		{"ephemeralStorage", "memory", ct.GetResources().GetEphemeralStorage()},
	} {
		fp := rp.Field(r.field)
		c.quantity(fp.Field("request"), r.r.GetRequest(), r.kind)
		c.quantity(fp.Field("limit"), r.r.GetLimit(), r.kind)
	}
	if c.count(rp.Field("extended"), len(ct.GetResources().GetExtended()), c.l.ListItems, "resources") {
		for i, e := range ct.GetResources().GetExtended() {
			ep := rp.Item("extended", i)
			c.str(ep.Field("name"), e.GetName(), c.l.KeyBytes)
			c.quantity(ep.Field("request"), e.GetRequest(), "count")
			c.quantity(ep.Field("limit"), e.GetLimit(), "count")
		}
	}
	pp := p.Field("probes")
	c.probe(pp.Field("liveness"), ct.GetProbes().GetLiveness())
	c.probe(pp.Field("readiness"), ct.GetProbes().GetReadiness())
	c.probe(pp.Field("startup"), ct.GetProbes().GetStartup())
	lp := p.Field("lifecycle")
	c.hook(lp.Field("postStart"), ct.GetLifecycle().GetPostStart())
	c.hook(lp.Field("preStop"), ct.GetLifecycle().GetPreStop())
	if c.count(p.Field("mounts"), len(ct.GetMounts()), c.l.MountsPerContainer, "mounts") {
		for i, m := range ct.GetMounts() {
			mp := p.Item("mounts", i)
			c.name(mp.Field("volume"), m.GetVolume())
			c.str(mp.Field("path"), m.GetPath(), c.l.PathBytes)
			c.str(mp.Field("subPath"), m.GetSubPath(), c.l.PathBytes)
		}
	}
	sp := p.Field("securityContext")
	c.list(sp.Field("capabilitiesAdd"), ct.GetSecurityContext().GetCapabilitiesAdd(), c.l.NameBytes, "capabilities")
	c.list(sp.Field("capabilitiesDrop"), ct.GetSecurityContext().GetCapabilitiesDrop(), c.l.NameBytes, "capabilities")
}

func (c *limiter) keyRef(p lazyPath, r *podcv1.KeyRef) {
	c.name(p.Field("name"), r.GetName())
	c.name(p.Field("key"), r.GetKey())
}

func (c *limiter) probe(p lazyPath, pr *podcv1.Probe) {
	c.list(p.Field("exec.command"), pr.GetExec().GetCommand(), c.l.ValueBytes, "entries")
	c.name(p.Field("tcpSocket.port"), pr.GetTcpSocket().GetPort())
	c.httpGet(p.Field("httpGet"), pr.GetHttpGet())
	c.name(p.Field("grpc.service"), pr.GetGrpc().GetService())
}

// hook bounds a lifecycle hook.
func (c *limiter) hook(p lazyPath, h *podcv1.LifecycleHandler) {
	c.list(p.Field("exec.command"), h.GetExec().GetCommand(), c.l.ValueBytes, "entries")
	c.httpGet(p.Field("httpGet"), h.GetHttpGet())
}

// httpGet bounds an HTTP GET action of a probe or hook.
func (c *limiter) httpGet(hp lazyPath, g *podcv1.HTTPGetAction) {
	c.str(hp.Field("path"), g.GetPath(), c.l.PathBytes)
	c.name(hp.Field("port"), g.GetPort())
	if c.count(hp.Field("headers"), len(g.GetHeaders()), c.l.ListItems, "headers") {
		for i, h := range g.GetHeaders() {
			np := hp.Item("headers", i)
			c.name(np.Field("name"), h.GetName())
			c.str(np.Field("value"), h.GetValue(), c.l.ValueBytes)
		}
	}
}

// services bounds the intent's Services, their ports, names, source ranges
// and annotations.
func (c *limiter) services(ss []*podcv1.Service) {
	if !c.count(root("services"), len(ss), c.l.Services, "Services") {
		return
	}
	for i, s := range ss {
		p := rootItem("services", i)
		c.name(p.Field("name"), s.GetName())
		if c.count(p.Field("ports"), len(s.GetPorts()), c.l.Ports, "ports") {
			for j, sp := range s.GetPorts() {
				pp := p.Item("ports", j)
				c.name(pp.Field("name"), sp.GetName())
			}
		}
		c.str(p.Field("loadBalancerClass"), s.GetLoadBalancerClass(), c.l.KeyBytes)
		c.list(p.Field("loadBalancerSourceRanges"), s.GetLoadBalancerSourceRanges(), c.l.NameBytes, "ranges")
		c.stringMap(p.Field("annotations"), s.GetAnnotations(), c.l.Annotations, c.l.ValueBytes, "annotations")
	}
}

// protection bounds the disruption budget's amounts, the spread and
// anti-affinity topology keys and the network policy's client labels.
func (c *limiter) protection(pr *podcv1.Protection) {
	p := root("protection")
	db := p.Field("disruptionBudget")
	c.name(db.Field("maxUnavailable"), pr.GetDisruptionBudget().GetMaxUnavailable())
	c.name(db.Field("minAvailable"), pr.GetDisruptionBudget().GetMinAvailable())
	c.list(p.Field("spreadTopologyKeys"), pr.GetSpreadTopologyKeys(), c.l.KeyBytes, "keys")
	c.list(p.Field("antiAffinityTopologyKeys"), pr.GetAntiAffinityTopologyKeys(), c.l.KeyBytes, "keys")
	c.stringMap(p.Field("networkPolicy.clientLabels"), pr.GetNetworkPolicy().GetClientLabels(), c.l.Labels, c.l.NameBytes, "labels")
}

// podSecurity bounds the pod's supplemental groups and sysctls.
func (c *limiter) podSecurity(sc *podcv1.PodSecurityContext) {
	p := root("securityContext")
	c.count(p.Field("supplementalGroups"), len(sc.GetSupplementalGroups()), c.l.ListItems, "groups")
	if c.count(p.Field("sysctls"), len(sc.GetSysctls()), c.l.ListItems, "sysctls") {
		for i, s := range sc.GetSysctls() {
			sp := p.Item("sysctls", i)
			c.name(sp.Field("name"), s.GetName())
			c.str(sp.Field("value"), s.GetValue(), c.l.ValueBytes)
		}
	}
}

// scheduling bounds the node selector, tolerations, affinity, spread
// constraints and class names.
func (c *limiter) scheduling(wi *podcv1.WorkloadIntent) {
	c.stringMap(root("nodeSelector"), wi.GetNodeSelector(), c.l.Labels, c.l.NameBytes, "labels")
	if c.count(root("tolerations"), len(wi.GetTolerations()), c.l.ListItems, "tolerations") {
		for i, t := range wi.GetTolerations() {
			p := rootItem("tolerations", i)
			c.str(p.Field("key"), t.GetKey(), c.l.KeyBytes)
			c.name(p.Field("value"), t.GetValue())
		}
	}
	a := wi.GetAffinity()
	np := root("affinity.node")
	if c.count(np.Field("required"), len(a.GetNode().GetRequired()), c.l.ListItems, "terms") {
		for i, t := range a.GetNode().GetRequired() {
			c.nodeTerm(np.Item("required", i), t)
		}
	}
	if c.count(np.Field("preferred"), len(a.GetNode().GetPreferred()), c.l.ListItems, "terms") {
		for i, t := range a.GetNode().GetPreferred() {
			tp := np.Item("preferred", i)
			c.nodeTerm(tp.Field("term"), t.GetTerm())
		}
	}
	for _, pa := range []struct {
		name string
		a    *podcv1.PodAffinity
	}{{"pod", a.GetPod()}, {"podAnti", a.GetPodAnti()}} {
		pp := root("affinity." + pa.name)
		if c.count(pp.Field("required"), len(pa.a.GetRequired()), c.l.ListItems, "terms") {
			for i, t := range pa.a.GetRequired() {
				c.podTerm(pp.Item("required", i), t)
			}
		}
		if c.count(pp.Field("preferred"), len(pa.a.GetPreferred()), c.l.ListItems, "terms") {
			for i, t := range pa.a.GetPreferred() {
				tp := pp.Item("preferred", i)
				c.podTerm(tp.Field("term"), t.GetTerm())
			}
		}
	}
	if c.count(root("topologySpreadConstraints"), len(wi.GetTopologySpreadConstraints()), c.l.ListItems, "constraints") {
		for i, s := range wi.GetTopologySpreadConstraints() {
			p := rootItem("topologySpreadConstraints", i)
			c.str(p.Field("topologyKey"), s.GetTopologyKey(), c.l.KeyBytes)
			c.selector(p.Field("labelSelector"), s.GetLabelSelector())
			c.list(p.Field("matchLabelKeys"), s.GetMatchLabelKeys(), c.l.KeyBytes, "keys")
		}
	}
	c.name(root("priorityClassName"), wi.GetPriorityClassName())
	c.name(root("runtimeClassName"), wi.GetRuntimeClassName())
}

// plumbing bounds the DNS configuration, host aliases, image pull secrets,
// host name and subdomain.
func (c *limiter) plumbing(wi *podcv1.WorkloadIntent) {
	d := wi.GetDnsConfig()
	dp := root("dnsConfig")
	c.list(dp.Field("nameservers"), d.GetNameservers(), c.l.NameBytes, "name servers")
	c.list(dp.Field("searches"), d.GetSearches(), c.l.NameBytes, "search domains")
	if c.count(dp.Field("options"), len(d.GetOptions()), c.l.ListItems, "options") {
		for i, o := range d.GetOptions() {
			op := dp.Item("options", i)
			c.name(op.Field("name"), o.GetName())
			c.name(op.Field("value"), o.GetValue())
		}
	}
	if c.count(root("hostAliases"), len(wi.GetHostAliases()), c.l.ListItems, "host aliases") {
		for i, h := range wi.GetHostAliases() {
			p := rootItem("hostAliases", i)
			c.name(p.Field("ip"), h.GetIp())
			c.list(p.Field("hostnames"), h.GetHostnames(), c.l.NameBytes, "host names")
		}
	}
	c.list(root("imagePullSecrets"), wi.GetImagePullSecrets(), c.l.NameBytes, "Secrets")
	c.name(root("hostname"), wi.GetHostname())
	c.name(root("subdomain"), wi.GetSubdomain())
}

// nodeTerm bounds a node selector term.
func (c *limiter) nodeTerm(p lazyPath, t *podcv1.NodeSelectorTerm) {
	for _, l := range []struct {
		name string
		reqs []*podcv1.NodeSelectorRequirement
	}{{"matchExpressions", t.GetMatchExpressions()}, {"matchFields", t.GetMatchFields()}} {
		if !c.count(p.Field(l.name), len(l.reqs), c.l.ListItems, "requirements") {
			continue
		}
		for i, r := range l.reqs {
			rp := p.Item(l.name, i)
			c.str(rp.Field("key"), r.GetKey(), c.l.KeyBytes)
			c.list(rp.Field("values"), r.GetValues(), c.l.NameBytes, "values")
		}
	}
}

// podTerm bounds a pod affinity term.
func (c *limiter) podTerm(p lazyPath, t *podcv1.PodAffinityTerm) {
	c.selector(p.Field("labelSelector"), t.GetLabelSelector())
	c.list(p.Field("namespaces"), t.GetNamespaces(), c.l.NameBytes, "namespaces")
	c.selector(p.Field("namespaceSelector"), t.GetNamespaceSelector())
	c.str(p.Field("topologyKey"), t.GetTopologyKey(), c.l.KeyBytes)
	c.list(p.Field("matchLabelKeys"), t.GetMatchLabelKeys(), c.l.KeyBytes, "keys")
	c.list(p.Field("mismatchLabelKeys"), t.GetMismatchLabelKeys(), c.l.KeyBytes, "keys")
}

// selector bounds a label selector.
func (c *limiter) selector(p lazyPath, s *podcv1.LabelSelector) {
	c.stringMap(p.Field("matchLabels"), s.GetMatchLabels(), c.l.Labels, c.l.NameBytes, "labels")
	if !c.count(p.Field("matchExpressions"), len(s.GetMatchExpressions()), c.l.ListItems, "requirements") {
		return
	}
	for i, r := range s.GetMatchExpressions() {
		rp := p.Item("matchExpressions", i)
		c.str(rp.Field("key"), r.GetKey(), c.l.KeyBytes)
		c.list(rp.Field("values"), r.GetValues(), c.l.NameBytes, "values")
	}
}
