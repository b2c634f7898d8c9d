package randintent

import (
	"math/rand"
	"slices"
	"strings"
	"testing"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/podc-dev/podc/compiler/intent"
	"github.com/podc-dev/podc/compiler/target"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

func TestSameSeedSameIntents(t *testing.T) {
	a, b := New(42), New(42)
	for i := range 50 {
		x, y := a.Next(), b.Next()
		if !proto.Equal(x, y) {
			t.Fatalf("intent %d differs for the same seed", i)
		}
	}
	if proto.Equal(New(1).Next(), New(2).Next()) {
		t.Error("different seeds gave the same intent")
	}
}

// TestIntentsPassCheck: every generated intent is valid by the intent's own
// rules, for every target and for a non-default node port range.
func TestIntentsPassCheck(t *testing.T) {
	n := 3000
	if testing.Short() {
		n = 500
	}
	ranges := []intent.PortRange{intent.DefaultNodePorts, {Min: 31000, Max: 31100}}
	for i := range n {
		opts := Options{Target: target.Version{Minor: target.Oldest + i%(target.Newest-target.Oldest+1)}, NodePorts: ranges[i%2]}
		wi := GenerateFor(rand.New(rand.NewSource(int64(i))), opts)
		if fs := intent.Check(wi, intent.Options{Target: opts.Target, NodePorts: opts.NodePorts}); len(fs) > 0 {
			js, _ := protojson.Marshal(wi)
			t.Fatalf("seed %d (target %s): generated intent refused:\n%v\n%s", i, opts.Target, fs, js)
		}
	}
}

// TestShapes: the stream covers every shape the generator promises.
func TestShapes(t *testing.T) {
	g := New(7)
	seen := map[string]bool{}
	mark := func(k string) { seen[k] = true }
	for range 2000 {
		wi := g.Next()
		mark("controller " + wi.GetController().String())
		if a := wi.GetAutoscaling(); a != nil {
			mark("autoscaling")
			if wi.Replicas != nil {
				mark("autoscaling beside replicas")
			}
			switch {
			case a.TargetCpuUtilization == nil && a.TargetMemoryUtilization == nil:
				mark("autoscaling default target")
			case a.TargetCpuUtilization != nil:
				mark("autoscaling cpu")
			}
			if a.TargetMemoryUtilization != nil {
				mark("autoscaling memory")
			}
		}
		if pr := wi.GetProtection(); pr != nil {
			switch db := pr.GetDisruptionBudget(); {
			case db == nil:
			case db.GetMaxUnavailable() != "":
				mark("budget maxUnavailable")
			case db.GetMinAvailable() != "":
				mark("budget minAvailable")
			default:
				mark("budget empty")
			}
			if pr.GetDisruptionBudget().GetUnhealthyPodEviction() != podcv1.UnhealthyPodEviction_UNHEALTHY_POD_EVICTION_UNSPECIFIED {
				mark("budget eviction")
			}
			if len(pr.GetSpreadTopologyKeys()) > 0 {
				mark("spread keys")
			}
			if len(pr.GetAntiAffinityTopologyKeys()) > 0 {
				mark("anti-affinity keys")
			}
			if np := pr.GetNetworkPolicy(); np != nil {
				mark("network policy " + np.GetClusterClients().String())
			}
		}
		mark("restart " + wi.GetRestartPolicy().String())
		if len(wi.GetInitSteps()) > 0 {
			mark("init steps")
		}
		if len(wi.GetSidecars()) > 0 {
			mark("sidecars")
		}
		for _, s := range wi.GetServices() {
			mark("service " + s.GetType().String())
			mark("affinity " + s.GetSessionAffinity().String())
			if s.GetSessionAffinityTimeoutSeconds() != 0 {
				mark("affinity timeout")
			}
			if intent.External(s.GetType()) {
				mark("traffic " + s.GetExternalTrafficPolicy().String())
			}
			if s.GetPublishNotReadyAddresses() {
				mark("publish not ready")
			}
			if s.GetLoadBalancerClass() != "" {
				mark("load balancer class")
			}
			for _, r := range s.GetLoadBalancerSourceRanges() {
				if strings.Contains(r, ":") {
					mark("source range v6")
				} else {
					mark("source range v4")
				}
			}
			if len(s.GetAnnotations()) > 0 {
				mark("service annotations")
			}
			for _, p := range s.GetPorts() {
				if p.GetServicePort() != 0 {
					mark("service servicePort")
				}
				if p.GetNodePort() != 0 {
					mark("service nodePort")
				}
			}
			if s.GetName() == wi.GetName() {
				mark("service named after the workload " + s.GetType().String())
			}
		}
		if st := wi.GetStrategy(); st != nil {
			mark("strategy " + st.GetType().String())
			for _, a := range []string{st.GetMaxSurge(), st.GetMaxUnavailable()} {
				switch {
				case strings.HasSuffix(a, "%"):
					mark("rollout percent")
				case a != "":
					mark("rollout number")
				}
			}
		}
		if wi.MinReadySeconds != nil && wi.RevisionHistoryLimit != nil && wi.ProgressDeadlineSeconds != nil {
			mark("rollout timing")
		}
		if len(wi.GetNodeSelector()) > 0 {
			mark("node selector")
		}
		for _, t := range wi.GetTolerations() {
			mark("toleration " + t.GetOperator().String())
			if t.TolerationSeconds != nil {
				mark("toleration seconds")
			}
		}
		if a := wi.GetAffinity(); a != nil {
			if len(a.GetNode().GetRequired()) > 0 && len(a.GetNode().GetPreferred()) > 0 {
				mark("node affinity both")
			}
			if a.GetPod() != nil {
				mark("pod affinity")
			}
			if a.GetPodAnti() != nil {
				mark("pod anti-affinity")
			}
		}
		for _, c := range wi.GetTopologySpreadConstraints() {
			mark("spread " + c.GetWhenUnsatisfiable().String())
			if c.MinDomains != nil && len(c.GetMatchLabelKeys()) > 0 {
				mark("spread minDomains and matchLabelKeys")
			}
		}
		if wi.GetPriorityClassName() != "" && wi.GetRuntimeClassName() != "" {
			mark("classes")
		}
		mark("dns " + wi.GetDnsPolicy().String())
		if len(wi.GetDnsConfig().GetSearches()) > 0 && len(wi.GetDnsConfig().GetOptions()) > 0 {
			mark("dns config")
		}
		if len(wi.GetHostAliases()) > 0 && len(wi.GetImagePullSecrets()) > 0 {
			mark("host aliases and pull secrets")
		}
		if wi.AutomountServiceAccountToken != nil && !wi.GetAutomountServiceAccountToken() {
			mark("no token")
		}
		if wi.GetSubdomain() != "" {
			mark("subdomain")
		}
		for _, c := range wi.GetContainers() {
			if c.GetTty() {
				mark("tty")
			}
		}
		if len(wi.GetSelector()) > 0 {
			mark("kept selector")
		}
		if len(wi.GetPodLabels()) > 0 && len(wi.GetPodAnnotations()) > 0 {
			mark("pod labels and annotations")
		}
		if len(wi.GetWorkloadAnnotations()) > 0 && len(wi.GetServiceAnnotations()) > 0 {
			mark("workload and service annotations")
		}
		if wi.GetLabels()["app.kubernetes.io/name"] != "" {
			mark("own name label")
		}
		if r := wi.GetResources(); r != nil {
			mark("pod resources")
			if r.GetCpu().GetRequest() != "" || r.GetMemory().GetRequest() != "" {
				mark("pod request")
			}
		}
		for _, c := range wi.GetContainers() {
			if len(c.GetResources().GetExtended()) > 0 {
				mark("devices")
			}
		}
		if wi.TerminationGracePeriodSeconds != nil {
			mark("grace period")
			if wi.GetTerminationGracePeriodSeconds() == 0 {
				mark("grace period 0")
			}
		}
		if sc := wi.GetSecurityContext(); sc != nil {
			mark("pod security")
			if sc.RunAsNonRoot != nil && sc.RunAsUser != nil && sc.FsGroup != nil && sc.RunAsGroup != nil {
				mark("pod security ids")
			}
			mark("pod seccomp " + sc.GetSeccompProfile().String())
			mark("fsGroup change " + sc.GetFsGroupChangePolicy().String())
			if len(sc.GetSupplementalGroups()) > 0 {
				mark("supplemental groups")
			}
			for _, s := range sc.GetSysctls() {
				if strings.Contains(s.GetName(), "/") {
					mark("sysctl slashed")
				} else {
					mark("sysctl dotted")
				}
				if ok, _ := target.Default.SafeSysctl(s.GetName()); !ok {
					mark("sysctl unsafe")
				}
			}
		}
		if len(wi.GetServices()) > 2 {
			mark("three Services or more")
		}
		for _, v := range wi.GetVolumes() {
			switch {
			case v.GetScratch() != nil:
				mark("volume scratch")
			case v.GetConfig() != nil:
				mark("volume config")
			case v.GetSecret() != nil:
				mark("volume secret")
			case v.GetPersistent() != nil:
				mark("volume persistent")
			case v.GetProjected() != nil:
				mark("volume projected")
				for _, s := range v.GetProjected().GetSources() {
					switch s.GetSource().(type) {
					case *podcv1.ProjectedSource_ServiceAccountToken:
						mark("projected token")
					case *podcv1.ProjectedSource_Config:
						mark("projected config")
					case *podcv1.ProjectedSource_Secret:
						mark("projected secret")
					case *podcv1.ProjectedSource_DownwardApi:
						mark("projected downwardApi")
					}
				}
			case v.GetDownwardApi() != nil:
				mark("volume downwardApi")
				for _, f := range v.GetDownwardApi().GetItems() {
					if f.GetResource() != nil {
						mark("downward resource")
					} else {
						mark("downward field")
					}
				}
			}
			if len(v.GetConfig().GetItems()) > 0 || len(v.GetSecret().GetItems()) > 0 {
				mark("volume items")
			}
			if (v.GetConfig() != nil && v.GetConfig().DefaultMode != nil) || (v.GetSecret() != nil && v.GetSecret().DefaultMode != nil) {
				mark("volume defaultMode")
			}
		}
		for _, cs := range [][]*podcv1.Container{wi.GetInitSteps(), wi.GetContainers(), wi.GetSidecars()} {
			for _, c := range cs {
				for _, p := range c.GetPorts() {
					mark("protocol " + p.GetProtocol().String())
					mark("expose " + p.GetExpose().String())
					if p.GetNodePort() != 0 {
						mark("node port")
					}
					if p.GetName() == "" && p.GetExpose() != podcv1.Expose_EXPOSE_UNSPECIFIED && p.GetExpose() != podcv1.Expose_EXPOSE_NONE {
						mark("unnamed exposed port")
					}
				}
				for _, p := range []*podcv1.Probe{c.GetProbes().GetLiveness(), c.GetProbes().GetReadiness(), c.GetProbes().GetStartup()} {
					switch p.GetHandler().(type) {
					case *podcv1.Probe_Exec:
						mark("probe exec")
					case *podcv1.Probe_TcpSocket:
						mark("probe tcpSocket")
					case *podcv1.Probe_HttpGet:
						mark("probe httpGet")
					case *podcv1.Probe_Grpc:
						mark("probe grpc")
					}
				}
				for _, e := range c.GetEnv() {
					switch e.GetSource().(type) {
					case *podcv1.EnvVar_Field:
						mark("env field")
						if e.GetField() == "status.hostIPs" {
							mark("env hostIPs")
						}
					case *podcv1.EnvVar_Resource:
						if e.GetResource().GetContainer() == "" {
							mark("env own resource")
						} else {
							mark("env other resource")
						}
					}
				}
				for _, h := range []*podcv1.LifecycleHandler{c.GetLifecycle().GetPostStart(), c.GetLifecycle().GetPreStop()} {
					switch h.GetHandler().(type) {
					case *podcv1.LifecycleHandler_Exec:
						mark("hook exec")
					case *podcv1.LifecycleHandler_HttpGet:
						mark("hook httpGet")
					case *podcv1.LifecycleHandler_Sleep:
						mark("hook sleep")
					}
				}
				rs := c.GetResources()
				for _, r := range []*podcv1.Resource{rs.GetCpu(), rs.GetMemory(), rs.GetEphemeralStorage()} {
					for _, q := range []string{r.GetRequest(), r.GetLimit()} {
						switch {
						case q == "":
						case strings.HasSuffix(q, "m"):
							mark("unit m")
						case strings.HasSuffix(q, "i"):
							mark("unit binary")
						case strings.ContainsAny(q, "e") || strings.Contains(q, "E"):
							mark("unit exponent")
						case strings.ContainsAny(q, "kMGT"):
							mark("unit decimal suffix")
						case strings.Contains(q, "."):
							mark("unit fraction")
						default:
							mark("unit plain")
						}
					}
				}
			}
		}
	}
	for _, want := range []string{
		"autoscaling", "autoscaling default target", "autoscaling cpu", "autoscaling memory",
		"budget maxUnavailable", "budget minAvailable", "budget empty", "budget eviction",
		"spread keys", "anti-affinity keys", "network policy CLUSTER_CLIENTS_UNSPECIFIED", "network policy CLUSTER_CLIENTS_NAMESPACE",
		"network policy CLUSTER_CLIENTS_CLUSTER", "network policy CLUSTER_CLIENTS_LABELLED",
		"controller CONTROLLER_POD", "controller CONTROLLER_DEPLOYMENT", "controller CONTROLLER_UNSPECIFIED",
		"restart RESTART_POLICY_ALWAYS", "restart RESTART_POLICY_ON_FAILURE", "restart RESTART_POLICY_NEVER",
		"init steps", "sidecars",
		"volume scratch", "volume config", "volume secret", "volume persistent", "volume projected", "volume downwardApi",
		"projected token", "projected config", "projected secret", "projected downwardApi", "downward resource", "downward field",
		"volume items", "volume defaultMode", "env field", "env hostIPs", "env own resource", "env other resource",
		"protocol PROTOCOL_TCP", "protocol PROTOCOL_UDP", "protocol PROTOCOL_SCTP",
		"expose EXPOSE_NONE", "expose EXPOSE_CLUSTER", "expose EXPOSE_NODE", "node port",
		"probe exec", "probe tcpSocket", "probe httpGet", "probe grpc",
		"unit m", "unit binary", "unit exponent", "unit decimal suffix", "unit fraction", "unit plain",
		"service SERVICE_TYPE_UNSPECIFIED", "service SERVICE_TYPE_CLUSTER_IP", "service SERVICE_TYPE_NODE_PORT",
		"service SERVICE_TYPE_LOAD_BALANCER", "service SERVICE_TYPE_HEADLESS",
		"service named after the workload SERVICE_TYPE_HEADLESS", "service named after the workload SERVICE_TYPE_LOAD_BALANCER",
		"service named after the workload SERVICE_TYPE_NODE_PORT", "three Services or more",
		"affinity SESSION_AFFINITY_UNSPECIFIED", "affinity SESSION_AFFINITY_NONE", "affinity SESSION_AFFINITY_CLIENT_IP", "affinity timeout",
		"traffic EXTERNAL_TRAFFIC_POLICY_UNSPECIFIED", "traffic EXTERNAL_TRAFFIC_POLICY_CLUSTER", "traffic EXTERNAL_TRAFFIC_POLICY_LOCAL",
		"publish not ready", "load balancer class", "source range v4", "source range v6", "service annotations",
		"service servicePort", "service nodePort",
		"pod security", "pod security ids", "pod seccomp SECCOMP_PROFILE_UNSPECIFIED", "pod seccomp SECCOMP_PROFILE_RUNTIME_DEFAULT",
		"pod seccomp SECCOMP_PROFILE_UNCONFINED", "fsGroup change FS_GROUP_CHANGE_POLICY_UNSPECIFIED",
		"fsGroup change FS_GROUP_CHANGE_POLICY_ALWAYS", "fsGroup change FS_GROUP_CHANGE_POLICY_ON_ROOT_MISMATCH",
		"supplemental groups", "sysctl slashed", "sysctl dotted", "sysctl unsafe",
		"node selector", "toleration TOLERATION_OPERATOR_UNSPECIFIED", "toleration TOLERATION_OPERATOR_EQUAL", "toleration TOLERATION_OPERATOR_EXISTS",
		"toleration seconds", "node affinity both", "pod affinity", "pod anti-affinity", "spread WHEN_UNSATISFIABLE_UNSPECIFIED",
		"spread WHEN_UNSATISFIABLE_SCHEDULE_ANYWAY", "spread minDomains and matchLabelKeys", "classes",
		"dns DNS_POLICY_UNSPECIFIED", "dns DNS_POLICY_CLUSTER_FIRST", "dns DNS_POLICY_CLUSTER_FIRST_WITH_HOST_NET", "dns DNS_POLICY_DEFAULT",
		"dns DNS_POLICY_NONE", "dns config", "host aliases and pull secrets", "no token", "subdomain", "tty",
		"pod resources", "pod request", "devices", "unnamed exposed port",
		"kept selector", "pod labels and annotations", "workload and service annotations", "own name label",
		"grace period", "grace period 0", "hook exec", "hook httpGet", "hook sleep",
		"strategy DEPLOYMENT_STRATEGY_TYPE_UNSPECIFIED", "strategy DEPLOYMENT_STRATEGY_TYPE_ROLLING_UPDATE",
		"strategy DEPLOYMENT_STRATEGY_TYPE_RECREATE", "rollout percent", "rollout number", "rollout timing",
	} {
		if !seen[want] {
			t.Errorf("2000 intents never had %s", want)
		}
	}
	if seen["autoscaling beside replicas"] {
		t.Error("an autoscaled intent with replicas")
	}
}

func TestNoSleepHooksBeforeTheyExist(t *testing.T) {
	g := NewWithOptions(5, Options{Target: target.Version{Minor: 29}})
	for range 500 {
		wi := g.Next()
		for _, c := range append(wi.GetContainers(), wi.GetSidecars()...) {
			if c.GetLifecycle().GetPreStop().GetSleep() != nil || c.GetLifecycle().GetPostStart().GetSleep() != nil {
				t.Fatal("sleep hook generated for 1.29")
			}
		}
	}
}

func TestNoHostIPsBeforeTheyExist(t *testing.T) {
	g := NewWithOptions(9, Options{Target: target.Version{Minor: 28}})
	for range 500 {
		wi := g.Next()
		for _, cs := range [][]*podcv1.Container{wi.GetInitSteps(), wi.GetContainers(), wi.GetSidecars()} {
			for _, c := range cs {
				for _, e := range c.GetEnv() {
					if e.GetField() == "status.hostIPs" {
						t.Fatal("status.hostIPs generated for 1.28")
					}
				}
			}
		}
	}
}

func TestNoGRPCProbesBeforeTheyExist(t *testing.T) {
	g := NewWithOptions(3, Options{Target: target.Version{Minor: 26}})
	for range 500 {
		for _, c := range g.Next().GetContainers() {
			for _, p := range []*podcv1.Probe{c.GetProbes().GetLiveness(), c.GetProbes().GetReadiness(), c.GetProbes().GetStartup()} {
				if p.GetGrpc() != nil {
					t.Fatal("gRPC probe generated for 1.26")
				}
			}
		}
	}
}

// TestExceptions: given rule ids, the intents now and then ask for
// exceptions to them, of every shape, and still pass the checks and the
// limits; without rule ids they ask for none.
func TestExceptions(t *testing.T) {
	rules := []string{"p.a", "p.b", "q.c", "q.d"}
	seen := map[string]bool{}
	withExceptions := 0
	for i := range 1000 {
		opts := Options{ExceptionRules: rules}
		wi := GenerateFor(rand.New(rand.NewSource(int64(i))), opts)
		if fs := append(intent.CheckLimits(wi, intent.Limits{}), intent.Check(wi, intent.Options{})...); len(fs) > 0 {
			js, _ := protojson.Marshal(wi)
			t.Fatalf("seed %d: generated intent refused:\n%v\n%s", i, fs, js)
		}
		if len(wi.GetExceptions()) > 0 {
			withExceptions++
		}
		for _, e := range wi.GetExceptions() {
			if !slices.Contains(rules, e.GetRule()) {
				t.Fatalf("seed %d: exception to %q, not one of the rules", i, e.GetRule())
			}
			switch exp := e.GetExpires(); {
			case exp == "":
				seen["no expiry"] = true
			case strings.HasPrefix(exp, "20") && len(exp) == 10:
				seen["a date past"] = true
			case len(exp) == 10:
				seen["a date ahead"] = true
			case strings.HasPrefix(exp, "2010"):
				seen["a timestamp past"] = true
			default:
				seen["a timestamp ahead"] = true
			}
		}
		if plain := GenerateFor(rand.New(rand.NewSource(int64(i))), Options{}); len(plain.GetExceptions()) > 0 {
			t.Fatalf("seed %d: exceptions without rules", i)
		}
	}
	for _, k := range []string{"no expiry", "a date past", "a date ahead", "a timestamp past", "a timestamp ahead"} {
		if !seen[k] {
			t.Errorf("never generated an exception with %s", k)
		}
	}
	if withExceptions < 150 || withExceptions > 400 {
		t.Errorf("%d of 1000 intents ask for exceptions, want about a quarter", withExceptions)
	}
}
