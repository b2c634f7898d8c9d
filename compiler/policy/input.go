package policy

import (
	"encoding/json"
	"maps"
	"slices"

	utilsysctl "k8s.io/component-helpers/node/util/sysctl"

	"github.com/podc-dev/podc/compiler/diag"
	"github.com/podc-dev/podc/compiler/intent"
	"github.com/podc-dev/podc/compiler/target"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// The flattened intent: just the fields rules read, with quantities and
// image parts computed in Go. Its shape is #Intent in prelude.cue, and
// intentjson.go writes it as JSON; the three change together.

type inIntent struct {
	Name          string            `json:"name"`
	Labels        map[string]string `json:"labels"`
	Controller    string            `json:"controller"`
	Replicas      int32             `json:"replicas"`
	RestartPolicy string            `json:"restartPolicy"`
	HostNetwork   bool              `json:"hostNetwork"`
	HostPid       bool              `json:"hostPid"`
	HostIpc       bool              `json:"hostIpc"`
	Containers    []inContainer     `json:"containers"`
	Services      []inIntentService `json:"services"`
	NodePorts     []inNodePort      `json:"nodePorts"`
	// SecurityContext is the pod's security context.
	SecurityContext inPodSecurity `json:"securityContext"`
	// TerminationGracePeriodSeconds is the pod's, or the default.
	TerminationGracePeriodSeconds int64 `json:"terminationGracePeriodSeconds"`
	// Resources are the pod-level cpu and memory.
	Resources inPodResources `json:"resources"`
	// Where the pod may run.
	NodeSelector              map[string]string `json:"nodeSelector"`
	Tolerations               []inToleration    `json:"tolerations"`
	Affinity                  inAffinity        `json:"affinity"`
	TopologySpreadConstraints []inSpread        `json:"topologySpreadConstraints"`
	PriorityClassName         string            `json:"priorityClassName"`
	RuntimeClassName          string            `json:"runtimeClassName"`
	// The pod's DNS and names.
	DNSPolicy                    string   `json:"dnsPolicy"`
	HostAliases                  []string `json:"hostAliases"`
	ImagePullSecrets             []string `json:"imagePullSecrets"`
	ServiceAccountName           string   `json:"serviceAccountName"`
	AutomountServiceAccountToken *bool    `json:"automountServiceAccountToken"`
	Hostname                     string   `json:"hostname"`
	Subdomain                    string   `json:"subdomain"`
	// Selector selects the workload's pods: the one the intent keeps, else
	// podc's own labels. PodLabels are the labels on the pods only.
	Selector  map[string]string `json:"selector"`
	PodLabels map[string]string `json:"podLabels"`
	// Volumes are the pod's volumes, in order.
	Volumes []inVolume `json:"volumes"`
	// The Deployment's rollout settings, with the defaults; empty for a
	// bare Pod.
	Strategy                inStrategy `json:"strategy"`
	MinReadySeconds         int32      `json:"minReadySeconds"`
	RevisionHistoryLimit    int32      `json:"revisionHistoryLimit"`
	ProgressDeadlineSeconds int32      `json:"progressDeadlineSeconds"`
	// Autoscaling is the autoscaler's range and targets, with the
	// defaults; nil when the intent asks for none.
	Autoscaling *inAutoscaling `json:"autoscaling"`
	// Protection is the intent's protection, as written.
	Protection inProtection `json:"protection"`
}

// inAutoscaling is an autoscaler's effective range and utilization
// targets, 0 for none.
type inAutoscaling struct {
	MinReplicas int32 `json:"minReplicas"`
	MaxReplicas int32 `json:"maxReplicas"`
	CPU         int32 `json:"cpu"`
	Memory      int32 `json:"memory"`
}

// inProtection is the intent's protection: nil for each of its parts the
// intent leaves out.
type inProtection struct {
	DisruptionBudget         *inBudget        `json:"disruptionBudget"`
	SpreadTopologyKeys       []string         `json:"spreadTopologyKeys"`
	AntiAffinityTopologyKeys []string         `json:"antiAffinityTopologyKeys"`
	NetworkPolicy            *inNetworkPolicy `json:"networkPolicy"`
}

// inBudget is a disruption budget: each amount nil when unset (or not an
// amount: the structural checks report it), the eviction policy by its
// Kubernetes name, "" when unset.
type inBudget struct {
	MaxUnavailable       *inIntOrPercent `json:"maxUnavailable"`
	MinAvailable         *inIntOrPercent `json:"minAvailable"`
	UnhealthyPodEviction string          `json:"unhealthyPodEviction"`
}

// inIntOrPercent is a number of pods, or a percentage.
type inIntOrPercent struct {
	Value   int32 `json:"value"`
	Percent bool  `json:"percent"`
}

// intOrPercentOf reads a number or percentage; nil when s is unset or not
// one.
func intOrPercentOf(s string) *inIntOrPercent {
	n, percent, ok := intent.IntOrPercent(s)
	if s == "" || !ok {
		return nil
	}
	return &inIntOrPercent{Value: n, Percent: percent}
}

// inNetworkPolicy is who may reach the cluster ports: "namespace",
// "cluster" or "labelled", "" when unset.
type inNetworkPolicy struct {
	ClusterClients string            `json:"clusterClients"`
	ClientLabels   map[string]string `json:"clientLabels"`
}

// flattenProtection fills in the autoscaling and the protection.
func flattenProtection(in *inIntent, wi *podcv1.WorkloadIntent) {
	if s, ok := intent.ScaleOf(wi); ok {
		in.Autoscaling = &inAutoscaling{MinReplicas: s.MinReplicas, MaxReplicas: s.MaxReplicas, CPU: max(s.CPU, 0), Memory: max(s.Memory, 0)}
	}
	pr := wi.GetProtection()
	in.Protection = inProtection{
		SpreadTopologyKeys:       nonNil(pr.GetSpreadTopologyKeys()),
		AntiAffinityTopologyKeys: nonNil(pr.GetAntiAffinityTopologyKeys()),
	}
	if db := pr.GetDisruptionBudget(); db != nil {
		in.Protection.DisruptionBudget = &inBudget{
			MaxUnavailable: intOrPercentOf(db.GetMaxUnavailable()),
			MinAvailable:   intOrPercentOf(db.GetMinAvailable()),
			UnhealthyPodEviction: map[podcv1.UnhealthyPodEviction]string{
				podcv1.UnhealthyPodEviction_UNHEALTHY_POD_EVICTION_IF_HEALTHY_BUDGET: "IfHealthyBudget",
				podcv1.UnhealthyPodEviction_UNHEALTHY_POD_EVICTION_ALWAYS_ALLOW:      "AlwaysAllow",
			}[db.GetUnhealthyPodEviction()],
		}
	}
	if np := pr.GetNetworkPolicy(); np != nil {
		in.Protection.NetworkPolicy = &inNetworkPolicy{
			ClusterClients: map[podcv1.ClusterClients]string{
				podcv1.ClusterClients_CLUSTER_CLIENTS_NAMESPACE: "namespace",
				podcv1.ClusterClients_CLUSTER_CLIENTS_CLUSTER:   "cluster",
				podcv1.ClusterClients_CLUSTER_CLIENTS_LABELLED:  "labelled",
			}[np.GetClusterClients()],
			ClientLabels: maps.Clone(np.GetClientLabels()),
		}
		if in.Protection.NetworkPolicy.ClientLabels == nil {
			in.Protection.NetworkPolicy.ClientLabels = map[string]string{}
		}
	}
}

// inToleration is one toleration, its operator and effect by their
// Kubernetes names.
type inToleration struct {
	Field             string `json:"field"`
	Key               string `json:"key"`
	Operator          string `json:"operator"`
	Value             string `json:"value"`
	Effect            string `json:"effect"`
	TolerationSeconds *int64 `json:"tolerationSeconds"`
}

// inAffinity says which kinds of affinity the pod has.
type inAffinity struct {
	Node    bool `json:"node"`
	Pod     bool `json:"pod"`
	PodAnti bool `json:"podAnti"`
}

// inSpread is one topology spread constraint, with the defaults.
type inSpread struct {
	Field             string `json:"field"`
	TopologyKey       string `json:"topologyKey"`
	MaxSkew           int32  `json:"maxSkew"`
	WhenUnsatisfiable string `json:"whenUnsatisfiable"`
}

// flattenScheduling fills in where the pod may run.
func flattenScheduling(in *inIntent, wi *podcv1.WorkloadIntent) {
	in.NodeSelector = maps.Clone(wi.GetNodeSelector())
	if in.NodeSelector == nil {
		in.NodeSelector = map[string]string{}
	}
	in.Tolerations = make([]inToleration, 0, len(wi.GetTolerations()))
	for i, t := range wi.GetTolerations() {
		it := inToleration{Field: diag.Path("tolerations").Index(i).String(), Key: t.GetKey(), Operator: "Equal", Value: t.GetValue()}
		if t != nil {
			it.TolerationSeconds = t.TolerationSeconds
		}
		if t.GetOperator() == podcv1.TolerationOperator_TOLERATION_OPERATOR_EXISTS {
			it.Operator = "Exists"
		}
		it.Effect = map[podcv1.TaintEffect]string{
			podcv1.TaintEffect_TAINT_EFFECT_NO_SCHEDULE:        "NoSchedule",
			podcv1.TaintEffect_TAINT_EFFECT_PREFER_NO_SCHEDULE: "PreferNoSchedule",
			podcv1.TaintEffect_TAINT_EFFECT_NO_EXECUTE:         "NoExecute",
		}[t.GetEffect()]
		in.Tolerations = append(in.Tolerations, it)
	}
	a := wi.GetAffinity()
	in.Affinity = inAffinity{Node: a.GetNode() != nil, Pod: a.GetPod() != nil, PodAnti: a.GetPodAnti() != nil}
	in.TopologySpreadConstraints = make([]inSpread, 0, len(wi.GetTopologySpreadConstraints()))
	for i, c := range wi.GetTopologySpreadConstraints() {
		sp := inSpread{Field: diag.Path("topologySpreadConstraints").Index(i).String(), TopologyKey: c.GetTopologyKey(), MaxSkew: max(c.GetMaxSkew(), 1), WhenUnsatisfiable: "DoNotSchedule"}
		if c.GetWhenUnsatisfiable() == podcv1.WhenUnsatisfiable_WHEN_UNSATISFIABLE_SCHEDULE_ANYWAY {
			sp.WhenUnsatisfiable = "ScheduleAnyway"
		}
		in.TopologySpreadConstraints = append(in.TopologySpreadConstraints, sp)
	}
	in.PriorityClassName = wi.GetPriorityClassName()
	in.RuntimeClassName = wi.GetRuntimeClassName()
}

// flattenPlumbing fills in the pod's DNS and names: the DNS policy by its
// Kubernetes name (ClusterFirst when unset), the host names of its host
// aliases.
func flattenPlumbing(in *inIntent, wi *podcv1.WorkloadIntent) {
	in.DNSPolicy = map[podcv1.DnsPolicy]string{
		podcv1.DnsPolicy_DNS_POLICY_CLUSTER_FIRST_WITH_HOST_NET: "ClusterFirstWithHostNet",
		podcv1.DnsPolicy_DNS_POLICY_DEFAULT:                     "Default",
		podcv1.DnsPolicy_DNS_POLICY_NONE:                        "None",
	}[wi.GetDnsPolicy()]
	if in.DNSPolicy == "" {
		in.DNSPolicy = "ClusterFirst"
	}
	in.HostAliases = []string{}
	for _, h := range wi.GetHostAliases() {
		in.HostAliases = append(in.HostAliases, h.GetHostnames()...)
	}
	in.ImagePullSecrets = nonNil(wi.GetImagePullSecrets())
	in.ServiceAccountName = wi.GetServiceAccountName()
	in.AutomountServiceAccountToken = wi.AutomountServiceAccountToken
	in.Hostname, in.Subdomain = wi.GetHostname(), wi.GetSubdomain()
}

// inVolume is one of the pod's volumes: its kind by the intent's field
// name, and the service account tokens it projects.
type inVolume struct {
	Path   string    `json:"path"`
	Name   string    `json:"name"`
	Type   string    `json:"type"`
	Tokens []inToken `json:"serviceAccountTokens"`
}

// inToken is a projected service account token, with its lifetime or the
// default.
type inToken struct {
	Field             string `json:"field"`
	Audience          string `json:"audience"`
	ExpirationSeconds int64  `json:"expirationSeconds"`
}

// flattenVolumes flattens the pod's volumes.
func flattenVolumes(vs []*podcv1.Volume) []inVolume {
	out := make([]inVolume, 0, len(vs))
	for i, v := range vs {
		p := diag.Path("volumes").Index(i)
		iv := inVolume{Path: p.String(), Name: v.GetName(), Tokens: []inToken{}}
		switch {
		case v.GetScratch() != nil:
			iv.Type = "scratch"
		case v.GetConfig() != nil:
			iv.Type = "config"
		case v.GetSecret() != nil:
			iv.Type = "secret"
		case v.GetPersistent() != nil:
			iv.Type = "persistent"
		case v.GetDownwardApi() != nil:
			iv.Type = "downwardApi"
		case v.GetProjected() != nil:
			iv.Type = "projected"
			for j, s := range v.GetProjected().GetSources() {
				t := s.GetServiceAccountToken()
				if t == nil {
					continue
				}
				exp := int64(3600)
				if t.ExpirationSeconds != nil {
					exp = t.GetExpirationSeconds()
				}
				iv.Tokens = append(iv.Tokens, inToken{
					Field:    p.Field("projected").Field("sources").Index(j).Field("serviceAccountToken").String(),
					Audience: t.GetAudience(), ExpirationSeconds: exp,
				})
			}
		}
		out = append(out, iv)
	}
	return out
}

// inStrategy is a Deployment's strategy: type "RollingUpdate" or
// "Recreate" ("" for a bare Pod); maxSurge and maxUnavailable as written
// ("1", "25%"), "" for a recreate.
type inStrategy struct {
	Type           string `json:"type"`
	MaxSurge       string `json:"maxSurge"`
	MaxUnavailable string `json:"maxUnavailable"`
}

// inPodSecurity holds null for every field the intent leaves unset.
type inPodSecurity struct {
	RunAsNonRoot       *bool      `json:"runAsNonRoot"`
	RunAsUser          *int64     `json:"runAsUser"`
	RunAsGroup         *int64     `json:"runAsGroup"`
	SeccompProfile     *string    `json:"seccompProfile"`
	FSGroup            *int64     `json:"fsGroup"`
	SupplementalGroups []int64    `json:"supplementalGroups"`
	Sysctls            []inSysctl `json:"sysctls"`
}

// inSysctl is one of the pod's sysctls, at the field that names it, with
// its name in dotted form and whether the target's kubelet has it in its
// safe set.
type inSysctl struct {
	Field string `json:"field"`
	Name  string `json:"name"`
	Safe  bool   `json:"safe"`
}

// inNodePort is a node port the intent asks for, on a port (expose
// EXPOSE_NODE) or on a port of a named Service, at the field that sets it.
type inNodePort struct {
	Field    string `json:"field"`
	NodePort int32  `json:"nodePort"`
}

// inIntentService is one of the Services the intent names.
type inIntentService struct {
	Path                     string                `json:"path"`
	Name                     string                `json:"name"`
	Type                     string                `json:"type"`
	ExternalTrafficPolicy    string                `json:"externalTrafficPolicy"`
	PublishNotReadyAddresses bool                  `json:"publishNotReadyAddresses"`
	LoadBalancerClass        string                `json:"loadBalancerClass"`
	LoadBalancerSourceRanges []string              `json:"loadBalancerSourceRanges"`
	Ports                    []inIntentServicePort `json:"ports"`
}

type inIntentServicePort struct {
	Path        string `json:"path"`
	Name        string `json:"name"`
	ServicePort int32  `json:"servicePort"`
	NodePort    int32  `json:"nodePort"`
}

type inContainer struct {
	Path     string   `json:"path"`
	Role     string   `json:"role"`
	Name     string   `json:"name"`
	Image    string   `json:"image"`
	Registry string   `json:"registry"`
	Tag      string   `json:"tag"`
	Pinned   bool     `json:"pinned"`
	Exposed  bool     `json:"exposed"`
	CPU      inAmount `json:"cpu"`
	Memory   inAmount `json:"memory"`
	// EphemeralStorage is the container's local ephemeral storage.
	EphemeralStorage inAmount   `json:"ephemeralStorage"`
	Extended         []inDevice `json:"extended"`
	Ports            []inPort   `json:"ports"`
	Probes           inProbes   `json:"probes"`
	SecurityContext  inSecurity `json:"securityContext"`
	Lifecycle        inHooks    `json:"lifecycle"`
	Env              []inEnv    `json:"env"`
	Stdin            bool       `json:"stdin"`
	StdinOnce        bool       `json:"stdinOnce"`
	TTY              bool       `json:"tty"`
}

// inEnv is one environment variable without its value: where the value
// comes from ("value", "configMapKey", "secretKey", "field", "resource",
// "" when unset) and, for a field or resource, which.
type inEnv struct {
	Path      string `json:"path"`
	Name      string `json:"name"`
	Source    string `json:"source"`
	Field     string `json:"field"`
	Container string `json:"container"`
	Resource  string `json:"resource"`
}

// inHooks names the action of each lifecycle hook: "exec", "httpGet",
// "sleep", or "" when the container has none.
type inHooks struct {
	PostStart string `json:"postStart"`
	PreStop   string `json:"preStop"`
}

// inDevice is a container's extended resource: its name and how many.
type inDevice struct {
	Name  string      `json:"name"`
	Count json.Number `json:"count"`
}

// inAmount holds exact decimal numbers of any size, which CUE compares
// exactly: never rounded or clamped to 64 bits.
type inAmount struct {
	Request json.Number `json:"request"`
	Limit   json.Number `json:"limit"`
}

type inPort struct {
	Path          string `json:"path"`
	Name          string `json:"name"`
	ContainerPort int32  `json:"containerPort"`
	Expose        string `json:"expose"`
	NodePort      int32  `json:"nodePort"`
}

type inProbes struct {
	Liveness  bool `json:"liveness"`
	Readiness bool `json:"readiness"`
	Startup   bool `json:"startup"`
}

// inSecurity holds null for every field the intent leaves unset.
type inSecurity struct {
	RunAsNonRoot             *bool    `json:"runAsNonRoot"`
	RunAsUser                *int64   `json:"runAsUser"`
	RunAsGroup               *int64   `json:"runAsGroup"`
	AllowPrivilegeEscalation *bool    `json:"allowPrivilegeEscalation"`
	Privileged               *bool    `json:"privileged"`
	ReadOnlyRootFilesystem   *bool    `json:"readOnlyRootFilesystem"`
	CapabilitiesAdd          []string `json:"capabilitiesAdd"`
	CapabilitiesDrop         []string `json:"capabilitiesDrop"`
	SeccompProfile           *string  `json:"seccompProfile"`
}

type inParams struct {
	Profile     string `json:"profile"`
	NodePortMin int32  `json:"nodePortMin"`
	NodePortMax int32  `json:"nodePortMax"`
}

// flattenIntent builds the intent input. It reads wi through getters only,
// so a nil or half-filled intent flattens without panicking; a quantity that
// does not parse counts as unset (the structural checks report it).
func flattenIntent(wi *podcv1.WorkloadIntent, tv target.Version) *inIntent {
	in := &inIntent{
		Name:          wi.GetName(),
		Labels:        maps.Clone(wi.GetLabels()),
		Controller:    "pod",
		Replicas:      1,
		RestartPolicy: "Always",
		HostNetwork:   wi.GetHostNetwork(),
		HostPid:       wi.GetHostPid(),
		HostIpc:       wi.GetHostIpc(),
		Containers:    make([]inContainer, 0, len(wi.GetContainers())+len(wi.GetSidecars())+len(wi.GetInitSteps())),
	}
	if in.Labels == nil {
		in.Labels = map[string]string{}
	}
	if wi.GetController() == podcv1.Controller_CONTROLLER_DEPLOYMENT {
		in.Controller = "deployment"
	}
	if wi.Replicas != nil {
		in.Replicas = wi.GetReplicas()
	}
	switch wi.GetRestartPolicy() {
	case podcv1.RestartPolicy_RESTART_POLICY_ON_FAILURE:
		in.RestartPolicy = "OnFailure"
	case podcv1.RestartPolicy_RESTART_POLICY_NEVER:
		in.RestartPolicy = "Never"
	}
	for _, g := range containerGroups(wi) {
		for i, c := range g.list {
			in.Containers = append(in.Containers, flattenContainer(c, diag.Path(g.field).Index(i), g.role))
		}
	}
	in.SecurityContext = flattenPodSecurity(wi.GetSecurityContext(), tv)
	in.TerminationGracePeriodSeconds = intent.GracePeriod(wi)
	in.Resources = podResources(wi)
	in.Volumes = flattenVolumes(wi.GetVolumes())
	flattenScheduling(in, wi)
	in.Selector = maps.Clone(wi.GetSelector())
	if len(in.Selector) == 0 {
		name := wi.GetName()
		if v, ok := wi.GetLabels()[intent.LabelName]; ok {
			name = v
		}
		in.Selector = map[string]string{intent.LabelName: name, intent.LabelManagedBy: intent.ManagedBy}
	}
	in.PodLabels = maps.Clone(wi.GetPodLabels())
	if in.PodLabels == nil {
		in.PodLabels = map[string]string{}
	}
	flattenPlumbing(in, wi)
	flattenProtection(in, wi)
	if in.Controller == "deployment" {
		r := intent.RolloutOf(wi)
		in.Strategy = inStrategy{Type: "RollingUpdate", MaxSurge: r.MaxSurge, MaxUnavailable: r.MaxUnavailable}
		if r.Recreate {
			in.Strategy.Type = "Recreate"
		}
		in.MinReadySeconds, in.RevisionHistoryLimit, in.ProgressDeadlineSeconds = r.MinReadySeconds, r.RevisionHistoryLimit, r.ProgressDeadlineSeconds
	}
	in.Services = make([]inIntentService, 0, len(wi.GetServices()))
	for i, s := range wi.GetServices() {
		in.Services = append(in.Services, flattenIntentService(s, diag.Path("services").Index(i)))
	}
	// Every node port, so a rule about node ports reads just these (and
	// its cached outcome is keyed on just these).
	in.NodePorts = []inNodePort{}
	for _, c := range in.Containers {
		for _, p := range c.Ports {
			if p.NodePort != 0 {
				in.NodePorts = append(in.NodePorts, inNodePort{p.Path + ".nodePort", p.NodePort})
			}
		}
	}
	for _, s := range in.Services {
		for _, p := range s.Ports {
			if p.NodePort != 0 {
				in.NodePorts = append(in.NodePorts, inNodePort{p.Path + ".nodePort", p.NodePort})
			}
		}
	}
	return in
}

// flattenIntentService flattens one of the intent's Services: its type by
// its Kubernetes name ("Headless" for a headless one), its external
// traffic policy "" when unset.
func flattenIntentService(s *podcv1.Service, p diag.Path) inIntentService {
	out := inIntentService{
		Path:                     p.String(),
		Name:                     s.GetName(),
		Type:                     intent.ServiceTypeName(s.GetType()),
		PublishNotReadyAddresses: s.GetPublishNotReadyAddresses(),
		LoadBalancerClass:        s.GetLoadBalancerClass(),
		LoadBalancerSourceRanges: nonNil(s.GetLoadBalancerSourceRanges()),
		Ports:                    make([]inIntentServicePort, 0, len(s.GetPorts())),
	}
	switch s.GetExternalTrafficPolicy() {
	case podcv1.ExternalTrafficPolicy_EXTERNAL_TRAFFIC_POLICY_CLUSTER:
		out.ExternalTrafficPolicy = "Cluster"
	case podcv1.ExternalTrafficPolicy_EXTERNAL_TRAFFIC_POLICY_LOCAL:
		out.ExternalTrafficPolicy = "Local"
	}
	for j, sp := range s.GetPorts() {
		out.Ports = append(out.Ports, inIntentServicePort{
			Path: p.Field("ports").Index(j).String(), Name: sp.GetName(),
			ServicePort: sp.GetServicePort(), NodePort: sp.GetNodePort(),
		})
	}
	return out
}

type containerGroup struct {
	field, role string
	list        []*podcv1.Container
}

// containerGroups lists the intent's containers in the order rules see
// them: app containers, sidecars, init steps.
func containerGroups(wi *podcv1.WorkloadIntent) []containerGroup {
	return []containerGroup{
		{"containers", "app", wi.GetContainers()},
		{"sidecars", "sidecar", wi.GetSidecars()},
		{"initSteps", "init", wi.GetInitSteps()},
	}
}

func flattenContainer(c *podcv1.Container, p diag.Path, role string) inContainer {
	ref := imageParts(c.GetImage())
	out := inContainer{
		Path:     p.String(),
		Role:     role,
		Name:     c.GetName(),
		Image:    c.GetImage(),
		Registry: ref.Registry,
		Tag:      ref.Tag,
		Pinned:   ref.Pinned(),
		Ports:    make([]inPort, 0, len(c.GetPorts())),
	}
	res := c.GetResources()
	out.CPU = amount(res.GetCpu(), true)
	out.Memory = amount(res.GetMemory(), false)
	out.EphemeralStorage = amount(res.GetEphemeralStorage(), false)
	out.Extended = make([]inDevice, 0, len(res.GetExtended()))
	for _, e := range res.GetExtended() {
		n := json.Number("0")
		if v, ok := intent.ExactAmount(e.GetLimit(), false); ok {
			n = json.Number(v)
		}
		out.Extended = append(out.Extended, inDevice{Name: e.GetName(), Count: n})
	}
	for i, port := range c.GetPorts() {
		ip := inPort{
			Path:          p.Field("ports").Index(i).String(),
			Name:          intent.PortName(port),
			ContainerPort: port.GetContainerPort(),
			Expose:        "none",
			NodePort:      port.GetNodePort(),
		}
		switch port.GetExpose() {
		case podcv1.Expose_EXPOSE_CLUSTER:
			ip.Expose = "cluster"
		case podcv1.Expose_EXPOSE_NODE:
			ip.Expose = "node"
		}
		out.Ports = append(out.Ports, ip)
		out.Exposed = out.Exposed || ip.Expose != "none"
	}
	pr := c.GetProbes()
	out.Probes = inProbes{Liveness: pr.GetLiveness() != nil, Readiness: pr.GetReadiness() != nil, Startup: pr.GetStartup() != nil}
	out.Lifecycle = inHooks{PostStart: hookAction(c.GetLifecycle().GetPostStart()), PreStop: hookAction(c.GetLifecycle().GetPreStop())}
	out.Stdin, out.StdinOnce, out.TTY = c.GetStdin(), c.GetStdinOnce(), c.GetTty()
	out.Env = make([]inEnv, 0, len(c.GetEnv()))
	for i, e := range c.GetEnv() {
		ie := inEnv{Path: p.Field("env").Index(i).String(), Name: e.GetName()}
		switch src := e.GetSource().(type) {
		case *podcv1.EnvVar_Value:
			ie.Source = "value"
		case *podcv1.EnvVar_ConfigMapKey:
			ie.Source = "configMapKey"
		case *podcv1.EnvVar_SecretKey:
			ie.Source = "secretKey"
		case *podcv1.EnvVar_Field:
			ie.Source, ie.Field = "field", src.Field
		case *podcv1.EnvVar_Resource:
			ie.Source, ie.Container, ie.Resource = "resource", src.Resource.GetContainer(), src.Resource.GetResource()
			if ie.Container == "" {
				ie.Container = c.GetName()
			}
		}
		out.Env = append(out.Env, ie)
	}

	sc := c.GetSecurityContext()
	out.SecurityContext = inSecurity{
		CapabilitiesAdd:  nonNil(sc.GetCapabilitiesAdd()),
		CapabilitiesDrop: nonNil(sc.GetCapabilitiesDrop()),
	}
	if sc != nil {
		out.SecurityContext.RunAsNonRoot = sc.RunAsNonRoot
		out.SecurityContext.RunAsUser = sc.RunAsUser
		out.SecurityContext.RunAsGroup = sc.RunAsGroup
		out.SecurityContext.AllowPrivilegeEscalation = sc.AllowPrivilegeEscalation
		out.SecurityContext.Privileged = sc.Privileged
		out.SecurityContext.ReadOnlyRootFilesystem = sc.ReadOnlyRootFilesystem
	}
	out.SecurityContext.SeccompProfile = seccompName(sc.GetSeccompProfile())
	return out
}

// hookAction names the action of a lifecycle hook; "" for none.
func hookAction(h *podcv1.LifecycleHandler) string {
	switch h.GetHandler().(type) {
	case *podcv1.LifecycleHandler_Exec:
		return "exec"
	case *podcv1.LifecycleHandler_HttpGet:
		return "httpGet"
	case *podcv1.LifecycleHandler_Sleep:
		return "sleep"
	}
	return ""
}

// seccompName is a seccomp profile's Kubernetes type name; nil when unset.
func seccompName(p podcv1.SeccompProfile) *string {
	var name string
	switch p {
	case podcv1.SeccompProfile_SECCOMP_PROFILE_RUNTIME_DEFAULT:
		name = "RuntimeDefault"
	case podcv1.SeccompProfile_SECCOMP_PROFILE_UNCONFINED:
		name = "Unconfined"
	default:
		return nil
	}
	return &name
}

// flattenPodSecurity flattens the pod's security context; its lists are
// empty, never null, when unset.
func flattenPodSecurity(sc *podcv1.PodSecurityContext, tv target.Version) inPodSecurity {
	out := inPodSecurity{
		SupplementalGroups: slices.Clone(sc.GetSupplementalGroups()),
		Sysctls:            make([]inSysctl, 0, len(sc.GetSysctls())),
		SeccompProfile:     seccompName(sc.GetSeccompProfile()),
	}
	if out.SupplementalGroups == nil {
		out.SupplementalGroups = []int64{}
	}
	if sc != nil {
		out.RunAsNonRoot = sc.RunAsNonRoot
		out.RunAsUser = sc.RunAsUser
		out.RunAsGroup = sc.RunAsGroup
		out.FSGroup = sc.FsGroup
	}
	for i, s := range sc.GetSysctls() {
		safe, _ := tv.SafeSysctl(s.GetName())
		out.Sysctls = append(out.Sysctls, inSysctl{
			Field: diag.Path("securityContext").Field("sysctls").Index(i).Field("name").String(),
			Name:  utilsysctl.NormalizeName(s.GetName()),
			Safe:  safe,
		})
	}
	return out
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return slices.Clone(s)
}

// amount converts a request and limit to exact numbers: millicores for
// cpu, bytes otherwise. The request is the effective one: the limit when
// only the limit is set. A quantity beyond what Kubernetes stores is given
// exactly (the structural checks refuse it too), so rules see it as large
// as it is; one that is unset, negative, not a quantity or too long to read
// at a bounded cost counts as 0.
func amount(r *podcv1.Resource, milli bool) inAmount {
	q := func(s string) json.Number {
		if v, ok := intent.ExactAmount(s, milli); ok {
			return json.Number(v)
		}
		return "0"
	}
	a := inAmount{Request: q(r.GetRequest()), Limit: q(r.GetLimit())}
	if a.Request == "0" {
		a.Request = a.Limit
	}
	return a
}

// wholeIntentInput is the input of whole-intent rules: the flattened
// intent and the request parameters, as JSON (which CUE compiles as is).
// Each rule sees only the part it reads (see package reads).
func wholeIntentInput(w *inputWriter, in *inIntent, p inParams) ([]byte, error) {
	start := w.begin()
	w.appendWholeIntent(&inWholeIntent{in, p})
	return w.end(start)
}

// inWholeIntent is the input of whole-intent rules.
type inWholeIntent struct {
	Intent *inIntent `json:"intent"`
	Params inParams  `json:"params"`
}

// inPod is what a per-container rule sees of its pod.
type inPod struct {
	Controller      string         `json:"controller"`
	RestartPolicy   string         `json:"restartPolicy"`
	SecurityContext inPodContainer `json:"securityContext"`
	Resources       inPodResources `json:"resources"`
}

// inPodResources are the pod-level cpu and memory, 0 when unset.
type inPodResources struct {
	CPU    inAmount `json:"cpu"`
	Memory inAmount `json:"memory"`
}

// podResources flattens the pod-level resources; an unset request is the
// one the compiler writes out: the containers' requests together, or the
// limit when none requests the resource.
func podResources(wi *podcv1.WorkloadIntent) inPodResources {
	rs := wi.GetResources()
	one := func(r *podcv1.Resource, name string, milli bool) inAmount {
		a := amount(r, milli)
		if r.GetRequest() == "" && r.GetLimit() != "" {
			if sum, some := intent.ContainerRequests(wi, name); some {
				if v, ok := intent.ExactAmount(sum.String(), milli); ok {
					a.Request = json.Number(v)
				}
			}
		}
		return a
	}
	return inPodResources{CPU: one(rs.GetCpu(), "cpu", true), Memory: one(rs.GetMemory(), "memory", false)}
}

// inPodContainer is the part of the pod's security context that applies
// to a container that leaves it unset; null where the pod leaves it unset.
type inPodContainer struct {
	RunAsNonRoot   *bool   `json:"runAsNonRoot"`
	RunAsUser      *int64  `json:"runAsUser"`
	RunAsGroup     *int64  `json:"runAsGroup"`
	SeccompProfile *string `json:"seccompProfile"`
}

// containerInputs are the inputs of per-container rules, one per container.
func containerInputs(w *inputWriter, in *inIntent, p inParams) ([][]byte, error) {
	sc := &in.SecurityContext
	pod := inPod{Controller: in.Controller, RestartPolicy: in.RestartPolicy, SecurityContext: inPodContainer{
		RunAsNonRoot: sc.RunAsNonRoot, RunAsUser: sc.RunAsUser, RunAsGroup: sc.RunAsGroup, SeccompProfile: sc.SeccompProfile,
	}, Resources: in.Resources}
	out := make([][]byte, len(in.Containers))
	for i := range in.Containers {
		start := w.begin()
		w.appendEachContainer(&inEachContainer{&in.Containers[i], pod, p})
		src, err := w.end(start)
		if err != nil {
			return nil, err
		}
		out[i] = src
	}
	return out, nil
}

// inEachContainer is the input of per-container rules.
type inEachContainer struct {
	Container *inContainer `json:"container"`
	Pod       inPod        `json:"pod"`
	Params    inParams     `json:"params"`
}

// imageParts parses an image reference with the structural checks' parser.
// The registry of a reference that names none is "docker.io", so rules can
// list it. A malformed reference (the structural checks report it) gives
// no registry or tag and counts as unpinned.
func imageParts(s string) intent.Image {
	im, err := intent.ParseImage(s)
	if err != nil {
		return intent.Image{}
	}
	if im.Registry == "" {
		im.Registry = "docker.io"
	}
	return im
}
