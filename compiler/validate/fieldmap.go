package validate

import (
	"strconv"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/podc-dev/podc/compiler/diag"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// seg is one step of a Kubernetes field path: a field name, or the text of
// a list index or map key in brackets.
type seg struct {
	name string // the field name; empty for an index or a key
	key  string // the text in brackets
	idx  int    // key as a list index, or -1
}

// parsePath splits a field.Path string such as
// "spec.containers[0].resources.limits[memory]" into its steps.
func parsePath(p string) []seg {
	var out []seg
	for len(p) > 0 {
		switch p[0] {
		case '.':
			p = p[1:]
		case '[':
			end := strings.IndexByte(p, ']')
			if end < 0 {
				return out
			}
			k := p[1:end]
			i, err := strconv.Atoi(k)
			if err != nil || i < 0 {
				i = -1
			}
			out = append(out, seg{key: k, idx: i})
			p = p[end+1:]
		default:
			end := strings.IndexAny(p, ".[")
			if end < 0 {
				end = len(p)
			}
			out = append(out, seg{name: p[:end], idx: -1})
			p = p[end:]
		}
	}
	return out
}

// mapper maps a manifest field path of one defaulted, versioned object back
// to the intent field it was compiled from. It finds containers, ports,
// environment variables, mounts, volumes and the intent's named Services by
// name, so it does not depend on the order in which the compiler emits
// them.
type mapper struct {
	wi  *podcv1.WorkloadIntent
	obj runtime.Object
}

// intentField returns the intent path for a manifest path, as far down as
// it can be mapped; "" when no intent field stands for it.
func (m mapper) intentField(manifestPath string) string {
	if m.wi == nil {
		return ""
	}
	segs := parsePath(manifestPath)
	if len(segs) == 0 {
		return ""
	}
	switch o := m.obj.(type) {
	case *corev1.Pod:
		switch segs[0].name {
		case "metadata":
			return m.meta(segs[1:])
		case "spec":
			return m.podSpec(&o.Spec, segs[1:])
		}
	case *appsv1.Deployment:
		switch {
		case segs[0].name == "metadata":
			return m.meta(segs[1:])
		case at(segs, 0, "spec") && at(segs, 1, "replicas"):
			return "replicas"
		case at(segs, 0, "spec") && at(segs, 1, "template") && at(segs, 2, "metadata"):
			return m.meta(segs[3:])
		case at(segs, 0, "spec") && at(segs, 1, "template") && (at(segs, 2, "labels") || at(segs, 2, "annotations")):
			// The apiserver reports pod template metadata without "metadata".
			return m.meta(segs[2:])
		case at(segs, 0, "spec") && at(segs, 1, "template") && at(segs, 2, "spec"):
			return m.podSpec(&o.Spec.Template.Spec, segs[3:])
		}
	case *corev1.Service:
		if i, is := m.namedService(o.Name); is != nil {
			return m.namedServiceField(diag.Path("services").Index(i), is, o, segs).String()
		}
		switch {
		case segs[0].name == "metadata":
			return m.meta(segs[1:])
		case at(segs, 0, "spec") && at(segs, 1, "ports") && len(segs) > 2:
			return m.servicePort(o, segs[2].idx, segs[3:])
		}
	}
	return ""
}

func at(segs []seg, i int, name string) bool { return len(segs) > i && segs[i].name == name }

// meta maps object metadata: the name and namespace, and the labels and
// annotations the intent set (podc's own labels stand for the name).
func (m mapper) meta(segs []seg) string {
	if len(segs) == 0 {
		return ""
	}
	switch segs[0].name {
	case "name", "generateName":
		return "name"
	case "namespace":
		return "namespace"
	case "labels", "annotations":
		field := segs[0].name
		set := m.wi.GetLabels()
		if field == "annotations" {
			set = m.wi.GetAnnotations()
		}
		if len(segs) > 1 {
			key := segs[1].key
			if segs[1].name != "" {
				// Some errors name the key as dotted fields:
				// annotations.seccomp.security.alpha.kubernetes.io/pod.
				var parts []string
				for _, s := range segs[1:] {
					parts = append(parts, s.name)
				}
				key = strings.Join(parts, ".")
			}
			if _, ok := set[key]; ok {
				return diag.Path(field).Key(key).String()
			}
			if field == "labels" {
				return "name"
			}
			return ""
		}
		return field
	}
	return ""
}

// podFields maps pod spec fields that stand for one intent field each.
var podFields = map[string]string{
	"restartPolicy":         "restartPolicy",
	"shareProcessNamespace": "shareProcessNamespace",
	"hostNetwork":           "hostNetwork",
	"hostPID":               "hostPid",
	"hostIPC":               "hostIpc",
	"serviceAccountName":    "serviceAccountName",
	"serviceAccount":        "serviceAccountName",
}

func (m mapper) podSpec(spec *corev1.PodSpec, segs []seg) string {
	if len(segs) == 0 {
		return ""
	}
	switch segs[0].name {
	case "containers", "initContainers":
		list := spec.Containers
		if segs[0].name == "initContainers" {
			list = spec.InitContainers
		}
		if len(segs) < 2 || segs[1].idx < 0 || segs[1].idx >= len(list) {
			return ""
		}
		path, ic := m.container(list, segs[1].idx, segs[0].name == "initContainers")
		if ic == nil {
			return ""
		}
		return containerField(path, ic, &list[segs[1].idx], segs[2:]).String()
	case "volumes":
		if len(segs) < 2 || segs[1].idx < 0 || segs[1].idx >= len(spec.Volumes) {
			return "volumes"
		}
		name := spec.Volumes[segs[1].idx].Name
		for j, v := range m.wi.GetVolumes() {
			if v.GetName() == name {
				return walk(diag.Path("volumes").Index(j), volumeTree, segs[2:]).String()
			}
		}
		return "volumes"
	case "securityContext":
		return walk(diag.Path("securityContext"), podSecurityTree, segs[1:]).String()
	}
	return podFields[segs[0].name]
}

// container finds the intent container that list[i] was compiled from, by
// name: an init container is an init step or a native sidecar, a container
// an app container or a sidecar. With duplicate names the n-th container of
// a name is the n-th of that name in the intent, or the first when the
// intent has fewer.
func (m mapper) container(list []corev1.Container, i int, init bool) (diag.Path, *podcv1.Container) {
	name := list[i].Name
	n := 0
	for _, c := range list[:i] {
		if c.Name == name {
			n++
		}
	}
	type group struct {
		field string
		cs    []*podcv1.Container
	}
	groups := []group{{"containers", m.wi.GetContainers()}, {"sidecars", m.wi.GetSidecars()}}
	if init {
		groups = []group{{"initSteps", m.wi.GetInitSteps()}, {"sidecars", m.wi.GetSidecars()}}
	}
	var first *podcv1.Container
	var firstPath diag.Path
	for _, g := range groups {
		for j, c := range g.cs {
			if c.GetName() != name {
				continue
			}
			if first == nil {
				first, firstPath = c, diag.Path(g.field).Index(j)
			}
			if n == 0 {
				return diag.Path(g.field).Index(j), c
			}
			n--
		}
	}
	// More containers of this name than the intent has: the first of them.
	return firstPath, first
}

// containerField maps a path inside container c, compiled from ic at base.
func containerField(base diag.Path, ic *podcv1.Container, c *corev1.Container, segs []seg) diag.Path {
	if len(segs) == 0 {
		return base
	}
	rest := segs[1:]
	idx := func() int {
		if len(rest) == 0 {
			return -1
		}
		return rest[0].idx
	}
	switch segs[0].name {
	case "env":
		i := idx()
		if i < 0 || i >= len(c.Env) {
			return base.Field("env")
		}
		for j, e := range ic.GetEnv() {
			if e.GetName() == c.Env[i].Name {
				return walk(base.Field("env").Index(j), envTree, rest[1:])
			}
		}
		if i < len(ic.GetEnv()) {
			// Not found by name: the variable in the same place.
			return walk(base.Field("env").Index(i), envTree, rest[1:])
		}
		return base.Field("env")
	case "envFrom":
		i := idx()
		if i < 0 || i >= len(ic.GetEnvFrom()) {
			return base.Field("envFrom")
		}
		return walk(base.Field("envFrom").Index(i), envFromTree, rest[1:])
	case "ports":
		i := idx()
		if i < 0 || i >= len(c.Ports) {
			return base.Field("ports")
		}
		p := c.Ports[i]
		for j, ip := range ic.GetPorts() {
			if p.Name != "" && ip.GetName() == p.Name {
				return walk(base.Field("ports").Index(j), portTree, rest[1:])
			}
		}
		for j, ip := range ic.GetPorts() {
			if ip.GetContainerPort() == p.ContainerPort && protocolOf(ip) == p.Protocol {
				return walk(base.Field("ports").Index(j), portTree, rest[1:])
			}
		}
		return base.Field("ports")
	case "resources":
		if len(rest) >= 2 && (rest[0].name == "requests" || rest[0].name == "limits") && rest[1].name == "" {
			res := map[string]string{"cpu": "cpu", "memory": "memory", "ephemeral-storage": "ephemeralStorage"}[rest[1].key]
			if res == "" {
				return base.Field("resources")
			}
			which := "request"
			if rest[0].name == "limits" {
				which = "limit"
			}
			return base.Field("resources").Field(res).Field(which)
		}
		return base.Field("resources")
	case "volumeMounts":
		i := idx()
		if i < 0 || i >= len(c.VolumeMounts) {
			return base.Field("mounts")
		}
		vm := c.VolumeMounts[i]
		for j, im := range ic.GetMounts() {
			if im.GetVolume() == vm.Name && im.GetPath() == vm.MountPath {
				return walk(base.Field("mounts").Index(j), mountTree, rest[1:])
			}
		}
		for j, im := range ic.GetMounts() {
			if im.GetVolume() == vm.Name {
				return walk(base.Field("mounts").Index(j), mountTree, rest[1:])
			}
		}
		return base.Field("mounts")
	}
	return walk(base, containerTree, segs)
}

func protocolOf(p *podcv1.Port) corev1.Protocol {
	switch p.GetProtocol() {
	case podcv1.Protocol_PROTOCOL_UDP:
		return corev1.ProtocolUDP
	case podcv1.Protocol_PROTOCOL_SCTP:
		return corev1.ProtocolSCTP
	}
	return corev1.ProtocolTCP
}

// servicePort maps spec.ports[i] of a Service to the intent port it
// exposes, found by the port's name or, failing that, its target port.
func (m mapper) servicePort(svc *corev1.Service, i int, rest []seg) string {
	if i < 0 || i >= len(svc.Spec.Ports) {
		return ""
	}
	sp := svc.Spec.Ports[i]
	groups := []struct {
		field string
		cs    []*podcv1.Container
	}{{"containers", m.wi.GetContainers()}, {"sidecars", m.wi.GetSidecars()}, {"initSteps", m.wi.GetInitSteps()}}
	for _, g := range groups {
		for j, c := range g.cs {
			for k, p := range c.GetPorts() {
				match := sp.Name != "" && p.GetName() == sp.Name
				if sp.Name == "" {
					match = (sp.TargetPort.StrVal != "" && p.GetName() == sp.TargetPort.StrVal) ||
						(sp.TargetPort.StrVal == "" && p.GetContainerPort() == sp.TargetPort.IntVal && protocolOf(p) == sp.Protocol)
				}
				if match {
					return walk(diag.Path(g.field).Index(j).Field("ports").Index(k), servicePortTree, rest).String()
				}
			}
		}
	}
	return ""
}

// namedService returns the intent's Service called name and its index, or
// nil when the intent does not name its Services (or none of that name).
func (m mapper) namedService(name string) (int, *podcv1.Service) {
	for i, s := range m.wi.GetServices() {
		if s.GetName() == name {
			return i, s
		}
	}
	return -1, nil
}

// namedServiceFields maps the spec fields of a named Service that stand
// for one field of its intent Service each. A headless Service's clusterIP
// stands for its type, as does a LoadBalancer's allocation of node ports;
// the health check node port of a Local LoadBalancer for its policy.
var namedServiceFields = map[string]string{
	"type":                          "type",
	"clusterIP":                     "type",
	"clusterIPs":                    "type",
	"allocateLoadBalancerNodePorts": "type",
	"sessionAffinity":               "sessionAffinity",
	"sessionAffinityConfig":         "sessionAffinityTimeoutSeconds",
	"externalTrafficPolicy":         "externalTrafficPolicy",
	"healthCheckNodePort":           "externalTrafficPolicy",
	"publishNotReadyAddresses":      "publishNotReadyAddresses",
	"loadBalancerClass":             "loadBalancerClass",
	"loadBalancerSourceRanges":      "loadBalancerSourceRanges",
	"LoadBalancerSourceRanges":      "loadBalancerSourceRanges", // as the apiserver names it
}

// namedServiceField maps a path of Service svc, compiled from the intent
// Service is at base: its name and own annotations, its spec fields, and
// each port to the entry of is.ports it was compiled from (found by name),
// whose protocol is the container port's.
func (m mapper) namedServiceField(base diag.Path, is *podcv1.Service, svc *corev1.Service, segs []seg) diag.Path {
	switch {
	case at(segs, 0, "metadata") && (at(segs, 1, "name") || at(segs, 1, "generateName")):
		return base.Field("name")
	case at(segs, 0, "metadata") && at(segs, 1, "annotations") && len(segs) > 2:
		key := segs[2].key
		if segs[2].name != "" {
			var parts []string
			for _, s := range segs[2:] {
				parts = append(parts, s.name)
			}
			key = strings.Join(parts, ".")
		}
		if _, ok := is.GetAnnotations()[key]; ok {
			return base.Field("annotations").Key(key)
		}
		return diag.Path(m.meta(segs[1:]))
	case at(segs, 0, "metadata"):
		return diag.Path(m.meta(segs[1:]))
	case at(segs, 0, "allocateLoadBalancerNodePorts"):
		// The apiserver reports it without "spec".
		return base.Field("type")
	case !at(segs, 0, "spec") || len(segs) < 2:
		return base
	case at(segs, 1, "ports"):
		if len(segs) < 3 || segs[2].idx < 0 || segs[2].idx >= len(svc.Spec.Ports) {
			return base.Field("ports")
		}
		name := svc.Spec.Ports[segs[2].idx].Name
		for j, sp := range is.GetPorts() {
			if sp.GetName() != name {
				continue
			}
			q := base.Field("ports").Index(j)
			if at(segs, 3, "protocol") {
				if pp := m.podPortPath(name); pp != "" {
					return pp.Field("protocol")
				}
			}
			return walk(q, namedServicePortTree, segs[3:])
		}
		return base.Field("ports")
	}
	f, ok := namedServiceFields[segs[1].name]
	if !ok {
		return base
	}
	if f == "loadBalancerSourceRanges" && len(segs) > 2 && segs[2].idx >= 0 && segs[2].idx < len(is.GetLoadBalancerSourceRanges()) {
		return base.Field(f).Index(segs[2].idx)
	}
	return base.Field(f)
}

// podPortPath returns the intent path of the app container or sidecar
// port called name, or "".
func (m mapper) podPortPath(name string) diag.Path {
	for _, g := range []struct {
		field string
		cs    []*podcv1.Container
	}{{"containers", m.wi.GetContainers()}, {"sidecars", m.wi.GetSidecars()}} {
		for i, c := range g.cs {
			for j, p := range c.GetPorts() {
				if p.GetName() == name {
					return diag.Path(g.field).Index(i).Field("ports").Index(j)
				}
			}
		}
	}
	return ""
}

// node is a step of a translation tree from manifest field names to intent
// field names. An empty name adds no step to the intent path.
type node struct {
	name string
	kids map[string]*node
}

func leaf(name string) *node { return &node{name: name} }

// walk follows segs down the tree from base as far as the tree knows them;
// list indices carry over unchanged.
func walk(base diag.Path, n *node, segs []seg) diag.Path {
	for _, s := range segs {
		if s.name == "" {
			if s.idx < 0 {
				return base
			}
			base = base.Index(s.idx)
			continue
		}
		k, ok := n.kids[s.name]
		if !ok {
			return base
		}
		if k.name != "" {
			base = base.Field(k.name)
		}
		n = k
	}
	return base
}

var (
	keyRef  = map[string]*node{"name": leaf("name"), "key": leaf("key"), "optional": leaf("optional")}
	envTree = &node{kids: map[string]*node{
		"name":  leaf("name"),
		"value": leaf("value"),
		"valueFrom": {kids: map[string]*node{
			"configMapKeyRef": {name: "configMapKey", kids: keyRef},
			"secretKeyRef":    {name: "secretKey", kids: keyRef},
		}},
	}}
	envFromTree = &node{kids: map[string]*node{
		"configMapRef": {kids: map[string]*node{"name": leaf("configMap")}},
		"secretRef":    {kids: map[string]*node{"name": leaf("secret")}},
		"prefix":       leaf("prefix"),
	}}
	portTree = &node{kids: map[string]*node{
		"name": leaf("name"), "containerPort": leaf("containerPort"), "protocol": leaf("protocol"),
	}}
	servicePortTree = &node{kids: map[string]*node{
		"name": leaf("name"), "port": leaf("servicePort"), "nodePort": leaf("nodePort"),
		"targetPort": leaf("name"), "protocol": leaf("protocol"),
	}}
	namedServicePortTree = &node{kids: map[string]*node{
		"name": leaf("name"), "port": leaf("servicePort"), "nodePort": leaf("nodePort"), "targetPort": leaf("name"),
	}}
	mountTree = &node{kids: map[string]*node{
		"name": leaf("volume"), "mountPath": leaf("path"), "readOnly": leaf("readOnly"), "subPath": leaf("subPath"),
	}}
	volumeTree = &node{kids: map[string]*node{
		"name": leaf("name"),
		"emptyDir": {name: "scratch", kids: map[string]*node{
			"sizeLimit": leaf("sizeLimit"), "medium": leaf("memory"),
		}},
		"configMap": {name: "config", kids: map[string]*node{
			"name": leaf("name"), "optional": leaf("optional"),
		}},
		"secret": {name: "secret", kids: map[string]*node{
			"secretName": leaf("name"), "optional": leaf("optional"),
		}},
		"persistentVolumeClaim": {name: "persistent", kids: map[string]*node{
			"claimName": leaf("claimName"), "readOnly": leaf("readOnly"),
		}},
	}}
	probeTree = &node{kids: map[string]*node{
		"exec":      {name: "exec", kids: map[string]*node{"command": leaf("command")}},
		"tcpSocket": {name: "tcpSocket", kids: map[string]*node{"port": leaf("port")}},
		"httpGet": {name: "httpGet", kids: map[string]*node{
			"path": leaf("path"), "port": leaf("port"), "scheme": leaf("scheme"),
			"httpHeaders": {name: "headers", kids: map[string]*node{"name": leaf("name"), "value": leaf("value")}},
		}},
		"grpc":                {name: "grpc", kids: map[string]*node{"port": leaf("port"), "service": leaf("service")}},
		"initialDelaySeconds": leaf("initialDelaySeconds"),
		"periodSeconds":       leaf("periodSeconds"),
		"timeoutSeconds":      leaf("timeoutSeconds"),
		"successThreshold":    leaf("successThreshold"),
		"failureThreshold":    leaf("failureThreshold"),
	}}
	podSecurityTree = &node{kids: map[string]*node{
		"runAsUser":           leaf("runAsUser"),
		"runAsGroup":          leaf("runAsGroup"),
		"runAsNonRoot":        leaf("runAsNonRoot"),
		"seccompProfile":      leaf("seccompProfile"),
		"fsGroup":             leaf("fsGroup"),
		"fsGroupChangePolicy": leaf("fsGroupChangePolicy"),
		"supplementalGroups":  leaf("supplementalGroups"),
		"sysctls":             {name: "sysctls", kids: map[string]*node{"name": leaf("name"), "value": leaf("value")}},
	}}
	containerTree = &node{kids: map[string]*node{
		"name":            leaf("name"),
		"image":           leaf("image"),
		"imagePullPolicy": leaf("pullPolicy"),
		"command":         leaf("command"),
		"args":            leaf("args"),
		"workingDir":      leaf("workingDir"),
		"livenessProbe":   {name: "probes.liveness", kids: probeTree.kids},
		"readinessProbe":  {name: "probes.readiness", kids: probeTree.kids},
		"startupProbe":    {name: "probes.startup", kids: probeTree.kids},
		"securityContext": {name: "securityContext", kids: map[string]*node{
			"runAsNonRoot":             leaf("runAsNonRoot"),
			"runAsUser":                leaf("runAsUser"),
			"runAsGroup":               leaf("runAsGroup"),
			"readOnlyRootFilesystem":   leaf("readOnlyRootFilesystem"),
			"allowPrivilegeEscalation": leaf("allowPrivilegeEscalation"),
			"privileged":               leaf("privileged"),
			"capabilities": {kids: map[string]*node{
				"add": leaf("capabilitiesAdd"), "drop": leaf("capabilitiesDrop"),
			}},
			"seccompProfile": leaf("seccompProfile"),
		}},
	}}
)
