package policy

import (
	"fmt"
	"maps"
	"strconv"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/podc-dev/podc/compiler/provenance"
)

// The flattened manifests: the compiled objects' fields that rules read.
// Its shape is #Manifests in prelude.cue, and manifestjson.go writes it as
// JSON; the three change together.

type inManifests struct {
	Workload          inWorkload           `json:"workload"`
	Services          []inService          `json:"services"`
	DisruptionBudgets []inDisruptionBudget `json:"disruptionBudgets"`
	Autoscalers       []inAutoscaler       `json:"autoscalers"`
	NetworkPolicies   []inNetworkPolicyObj `json:"networkPolicies"`
}

type inWorkload struct {
	Kind string `json:"kind"`
	Name string `json:"name"`
	Ref  string `json:"ref"`
	// Replicas are the Deployment's, or its autoscaler's minReplicas when
	// one scales it; 1 for a Pod.
	Replicas int32 `json:"replicas"`
	// Autoscaled says a HorizontalPodAutoscaler scales the Deployment.
	Autoscaled  bool                  `json:"autoscaled"`
	PodSpecPath string                `json:"podSpecPath"`
	HostNetwork bool                  `json:"hostNetwork"`
	HostPID     bool                  `json:"hostPID"`
	HostIPC     bool                  `json:"hostIPC"`
	Labels      map[string]string     `json:"labels"`
	Containers  []inManifestContainer `json:"containers"`
}

type inManifestContainer struct {
	Path            string        `json:"path"`
	Field           string        `json:"field"`
	Name            string        `json:"name"`
	Image           string        `json:"image"`
	SecurityContext inManifestSec `json:"securityContext"`
	FromPod         inFromPod     `json:"fromPod"`
}

// inFromPod says which fields of a container's effective security context
// the pod's security context supplied.
type inFromPod struct {
	RunAsNonRoot   bool `json:"runAsNonRoot"`
	RunAsUser      bool `json:"runAsUser"`
	RunAsGroup     bool `json:"runAsGroup"`
	SeccompProfile bool `json:"seccompProfile"`
}

// inManifestSec holds null for every field the object leaves unset, and
// an empty seccompProfile type when it sets none.
type inManifestSec struct {
	RunAsNonRoot             *bool          `json:"runAsNonRoot"`
	RunAsUser                *int64         `json:"runAsUser"`
	RunAsGroup               *int64         `json:"runAsGroup"`
	AllowPrivilegeEscalation *bool          `json:"allowPrivilegeEscalation"`
	Privileged               *bool          `json:"privileged"`
	ReadOnlyRootFilesystem   *bool          `json:"readOnlyRootFilesystem"`
	Capabilities             inCapabilities `json:"capabilities"`
	SeccompProfile           inSeccomp      `json:"seccompProfile"`
}

type inCapabilities struct {
	Add  []string `json:"add"`
	Drop []string `json:"drop"`
}

type inSeccomp struct {
	Type string `json:"type"`
}

type inService struct {
	Name                     string            `json:"name"`
	Ref                      string            `json:"ref"`
	Field                    string            `json:"field"`
	Type                     string            `json:"type"`
	ClusterIP                string            `json:"clusterIP"`
	SessionAffinity          string            `json:"sessionAffinity"`
	ExternalTrafficPolicy    string            `json:"externalTrafficPolicy"`
	PublishNotReadyAddresses bool              `json:"publishNotReadyAddresses"`
	LoadBalancerClass        string            `json:"loadBalancerClass"`
	LoadBalancerSourceRanges []string          `json:"loadBalancerSourceRanges"`
	Annotations              map[string]string `json:"annotations"`
	Ports                    []inServicePort   `json:"ports"`
}

type inServicePort struct {
	Path       string `json:"path"`
	Field      string `json:"field"`
	PortField  string `json:"portField"`
	Name       string `json:"name"`
	Protocol   string `json:"protocol"`
	Port       int32  `json:"port"`
	TargetPort string `json:"targetPort"`
	NodePort   int32  `json:"nodePort"`
}

// flattenManifests builds the manifests input from the compiled objects;
// src, the record of where their fields came from, gives the intent paths
// of their containers and ports (empty without it). Without whole it
// flattens the workload alone, for the per-container inputs: the objects
// around it (Services, disruption budgets, autoscalers, network policies)
// are in the whole-manifests input only, and stay empty.
func flattenManifests(objs []runtime.Object, src *provenance.Record, whole bool) (*inManifests, error) {
	out := &inManifests{Services: []inService{}, DisruptionBudgets: []inDisruptionBudget{}, Autoscalers: []inAutoscaler{}, NetworkPolicies: []inNetworkPolicyObj{}}
	found := false
	var pods map[string]string // the workload's pods' labels
	for _, o := range objs {
		switch obj := o.(type) {
		case *corev1.Pod:
			if found {
				return nil, fmt.Errorf("more than one workload object")
			}
			found = true
			pods = obj.Labels
			out.Workload = flattenWorkload("Pod", obj.Name, 1, "spec", obj.Labels, &obj.Spec, src)
		case *appsv1.Deployment:
			if found {
				return nil, fmt.Errorf("more than one workload object")
			}
			found = true
			replicas := int32(1)
			if obj.Spec.Replicas != nil {
				replicas = *obj.Spec.Replicas
			}
			pods = obj.Spec.Template.Labels
			out.Workload = flattenWorkload("Deployment", obj.Name, replicas, "spec.template.spec", obj.Labels, &obj.Spec.Template.Spec, src)
		case *corev1.Service:
			if whole {
				out.Services = append(out.Services, flattenService(obj, src))
			}
		case *policyv1.PodDisruptionBudget, *autoscalingv2.HorizontalPodAutoscaler, *networkingv1.NetworkPolicy:
			// Flattened below, against the workload's pods.
		case nil:
			return nil, fmt.Errorf("nil object")
		default:
			return nil, fmt.Errorf("unexpected object %T", o)
		}
	}
	if !found {
		return nil, fmt.Errorf("no Pod or Deployment among the compiled objects")
	}
	if whole {
		flattenGoverning(out, objs, pods, src)
	}
	return out, nil
}

// flattenService flattens one Service. The record says which intent
// Service it was compiled from (none for the Services the ports' expose
// forms), and for each port the intent field that shapes it and the
// container port it targets.
func flattenService(obj *corev1.Service, src *provenance.Record) inService {
	s := inService{
		Name: obj.Name, Ref: "Service/" + obj.Name, Type: string(obj.Spec.Type),
		ClusterIP:                obj.Spec.ClusterIP,
		SessionAffinity:          string(obj.Spec.SessionAffinity),
		ExternalTrafficPolicy:    string(obj.Spec.ExternalTrafficPolicy),
		PublishNotReadyAddresses: obj.Spec.PublishNotReadyAddresses,
		LoadBalancerSourceRanges: nonNil(obj.Spec.LoadBalancerSourceRanges),
		Annotations:              maps.Clone(obj.Annotations),
		Ports:                    []inServicePort{},
	}
	if s.Type == "" {
		s.Type = string(corev1.ServiceTypeClusterIP)
	}
	if s.Annotations == nil {
		s.Annotations = map[string]string{}
	}
	if obj.Spec.LoadBalancerClass != nil {
		s.LoadBalancerClass = *obj.Spec.LoadBalancerClass
	}
	s.Field = src.IntentField(s.Ref, "")
	for i, p := range obj.Spec.Ports {
		path := "spec.ports[" + strconv.Itoa(i) + "]"
		sp := inServicePort{
			Path: path, Field: src.IntentField(s.Ref, path), PortField: src.IntentField(s.Ref, path+".targetPort"),
			Name: p.Name, Protocol: string(p.Protocol), Port: p.Port, TargetPort: p.TargetPort.String(), NodePort: p.NodePort,
		}
		if sp.Protocol == "" {
			sp.Protocol = string(corev1.ProtocolTCP)
		}
		s.Ports = append(s.Ports, sp)
	}
	return s
}

// flattenWorkload flattens the Pod or Deployment; the record src gives
// each container's intent path.
func flattenWorkload(kind, name string, replicas int32, specPath string, labels map[string]string, spec *corev1.PodSpec, src *provenance.Record) inWorkload {
	w := inWorkload{
		Kind: kind, Name: name, Ref: kind + "/" + name, Replicas: replicas, PodSpecPath: specPath,
		HostNetwork: spec.HostNetwork, HostPID: spec.HostPID, HostIPC: spec.HostIPC,
		Labels:     maps.Clone(labels),
		Containers: make([]inManifestContainer, 0, len(spec.InitContainers)+len(spec.Containers)),
	}
	if w.Labels == nil {
		w.Labels = map[string]string{}
	}
	add := func(list string, cs []corev1.Container) {
		for i := range cs {
			c := &cs[i]
			path := specPath + "." + list + "[" + strconv.Itoa(i) + "]"
			sec, from := effectiveSecurity(c.SecurityContext, spec.SecurityContext)
			w.Containers = append(w.Containers, inManifestContainer{
				Path:  path,
				Field: src.IntentField(w.Ref, path), Name: c.Name, Image: c.Image,
				SecurityContext: sec, FromPod: from,
			})
		}
	}
	add("initContainers", spec.InitContainers)
	add("containers", spec.Containers)
	return w
}

// effectiveSecurity is a container's security context with the pod-level
// runAsNonRoot, runAsUser, runAsGroup and seccompProfile filled in where the container
// leaves them unset, as the kubelet applies them, and which of them the
// pod supplied.
func effectiveSecurity(c *corev1.SecurityContext, pod *corev1.PodSecurityContext) (inManifestSec, inFromPod) {
	var from inFromPod
	s := inManifestSec{Capabilities: inCapabilities{Add: []string{}, Drop: []string{}}}
	if c != nil {
		s.RunAsNonRoot = c.RunAsNonRoot
		s.RunAsUser = c.RunAsUser
		s.RunAsGroup = c.RunAsGroup
		s.AllowPrivilegeEscalation = c.AllowPrivilegeEscalation
		s.Privileged = c.Privileged
		s.ReadOnlyRootFilesystem = c.ReadOnlyRootFilesystem
		if c.Capabilities != nil {
			for _, a := range c.Capabilities.Add {
				s.Capabilities.Add = append(s.Capabilities.Add, string(a))
			}
			for _, d := range c.Capabilities.Drop {
				s.Capabilities.Drop = append(s.Capabilities.Drop, string(d))
			}
		}
		if c.SeccompProfile != nil {
			s.SeccompProfile.Type = string(c.SeccompProfile.Type)
		}
	}
	if pod != nil {
		if s.RunAsNonRoot == nil && pod.RunAsNonRoot != nil {
			s.RunAsNonRoot, from.RunAsNonRoot = pod.RunAsNonRoot, true
		}
		if s.RunAsUser == nil && pod.RunAsUser != nil {
			s.RunAsUser, from.RunAsUser = pod.RunAsUser, true
		}
		if s.RunAsGroup == nil && pod.RunAsGroup != nil {
			s.RunAsGroup, from.RunAsGroup = pod.RunAsGroup, true
		}
		if s.SeccompProfile.Type == "" && pod.SeccompProfile != nil {
			s.SeccompProfile.Type, from.SeccompProfile = string(pod.SeccompProfile.Type), true
		}
	}
	return s, from
}

// wholeManifestInput is the input of whole-manifest rules.
func wholeManifestInput(w *inputWriter, m *inManifests, p inParams) ([]byte, error) {
	start := w.begin()
	w.appendWholeManifests(&inWholeManifests{m, p})
	return w.end(start)
}

// inWholeManifests is the input of whole-manifest rules.
type inWholeManifests struct {
	Manifests *inManifests `json:"manifests"`
	Params    inParams     `json:"params"`
}

// inWorkloadRef is what a per-container manifest rule sees of its workload.
type inWorkloadRef struct {
	Kind        string `json:"kind"`
	Name        string `json:"name"`
	Ref         string `json:"ref"`
	PodSpecPath string `json:"podSpecPath"`
}

// manifestContainerInputs are the inputs of per-container manifest rules,
// one per container of the workload.
func manifestContainerInputs(iw *inputWriter, m *inManifests, p inParams) ([][]byte, error) {
	w := &m.Workload
	ref := inWorkloadRef{Kind: w.Kind, Name: w.Name, Ref: w.Ref, PodSpecPath: w.PodSpecPath}
	out := make([][]byte, len(w.Containers))
	for i := range w.Containers {
		start := iw.begin()
		iw.appendEachManifestContainer(&inEachManifestContainer{&w.Containers[i], ref, p})
		src, err := iw.end(start)
		if err != nil {
			return nil, err
		}
		out[i] = src
	}
	return out, nil
}

// inEachManifestContainer is the input of per-container manifest rules.
type inEachManifestContainer struct {
	Container *inManifestContainer `json:"container"`
	Workload  inWorkloadRef        `json:"workload"`
	Params    inParams             `json:"params"`
}
