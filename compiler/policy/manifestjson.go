package policy

// The JSON of the manifest inputs: one appender per in* type, writing its
// fields in order under their tags (see inputwriter.go). A field added to
// a type needs its line here.

// appendWholeManifests appends *v as JSON.
func (w *inputWriter) appendWholeManifests(v *inWholeManifests) {
	w.raw(`{"manifests":`)
	appendPointer(w, v.Manifests, (*inputWriter).appendManifests)
	w.raw(`,"params":`)
	w.appendParams(&v.Params)
	w.raw(`}`)
}

// appendManifests appends *v as JSON.
func (w *inputWriter) appendManifests(v *inManifests) {
	w.raw(`{"workload":`)
	w.appendWorkload(&v.Workload)
	w.raw(`,"services":`)
	appendList(w, v.Services, (*inputWriter).appendService)
	w.raw(`,"disruptionBudgets":`)
	appendList(w, v.DisruptionBudgets, (*inputWriter).appendDisruptionBudget)
	w.raw(`,"autoscalers":`)
	appendList(w, v.Autoscalers, (*inputWriter).appendAutoscaler)
	w.raw(`,"networkPolicies":`)
	appendList(w, v.NetworkPolicies, (*inputWriter).appendNetworkPolicyObj)
	w.raw(`}`)
}

// appendWorkload appends *v as JSON.
func (w *inputWriter) appendWorkload(v *inWorkload) {
	w.raw(`{"kind":`)
	w.appendString(v.Kind)
	w.raw(`,"name":`)
	w.appendString(v.Name)
	w.raw(`,"ref":`)
	w.appendString(v.Ref)
	w.raw(`,"replicas":`)
	w.appendInt(int64(v.Replicas))
	w.raw(`,"autoscaled":`)
	w.appendBool(v.Autoscaled)
	w.raw(`,"podSpecPath":`)
	w.appendString(v.PodSpecPath)
	w.raw(`,"hostNetwork":`)
	w.appendBool(v.HostNetwork)
	w.raw(`,"hostPID":`)
	w.appendBool(v.HostPID)
	w.raw(`,"hostIPC":`)
	w.appendBool(v.HostIPC)
	w.raw(`,"labels":`)
	w.appendStringMap(v.Labels)
	w.raw(`,"containers":`)
	appendList(w, v.Containers, (*inputWriter).appendManifestContainer)
	w.raw(`}`)
}

// appendManifestContainer appends *v as JSON.
func (w *inputWriter) appendManifestContainer(v *inManifestContainer) {
	w.raw(`{"path":`)
	w.appendString(v.Path)
	w.raw(`,"field":`)
	w.appendString(v.Field)
	w.raw(`,"name":`)
	w.appendString(v.Name)
	w.raw(`,"image":`)
	w.appendString(v.Image)
	w.raw(`,"securityContext":`)
	w.appendManifestSec(&v.SecurityContext)
	w.raw(`,"fromPod":`)
	w.appendFromPod(&v.FromPod)
	w.raw(`}`)
}

// appendManifestSec appends *v as JSON.
func (w *inputWriter) appendManifestSec(v *inManifestSec) {
	w.raw(`{"runAsNonRoot":`)
	w.appendBoolPointer(v.RunAsNonRoot)
	w.raw(`,"runAsUser":`)
	w.appendIntPointer(v.RunAsUser)
	w.raw(`,"runAsGroup":`)
	w.appendIntPointer(v.RunAsGroup)
	w.raw(`,"allowPrivilegeEscalation":`)
	w.appendBoolPointer(v.AllowPrivilegeEscalation)
	w.raw(`,"privileged":`)
	w.appendBoolPointer(v.Privileged)
	w.raw(`,"readOnlyRootFilesystem":`)
	w.appendBoolPointer(v.ReadOnlyRootFilesystem)
	w.raw(`,"capabilities":`)
	w.appendCapabilities(&v.Capabilities)
	w.raw(`,"seccompProfile":`)
	w.appendSeccomp(&v.SeccompProfile)
	w.raw(`}`)
}

// appendCapabilities appends *v as JSON.
func (w *inputWriter) appendCapabilities(v *inCapabilities) {
	w.raw(`{"add":`)
	w.appendStrings(v.Add)
	w.raw(`,"drop":`)
	w.appendStrings(v.Drop)
	w.raw(`}`)
}

// appendSeccomp appends *v as JSON.
func (w *inputWriter) appendSeccomp(v *inSeccomp) {
	w.raw(`{"type":`)
	w.appendString(v.Type)
	w.raw(`}`)
}

// appendFromPod appends *v as JSON.
func (w *inputWriter) appendFromPod(v *inFromPod) {
	w.raw(`{"runAsNonRoot":`)
	w.appendBool(v.RunAsNonRoot)
	w.raw(`,"runAsUser":`)
	w.appendBool(v.RunAsUser)
	w.raw(`,"runAsGroup":`)
	w.appendBool(v.RunAsGroup)
	w.raw(`,"seccompProfile":`)
	w.appendBool(v.SeccompProfile)
	w.raw(`}`)
}

// appendService appends *v as JSON.
func (w *inputWriter) appendService(v *inService) {
	w.raw(`{"name":`)
	w.appendString(v.Name)
	w.raw(`,"ref":`)
	w.appendString(v.Ref)
	w.raw(`,"field":`)
	w.appendString(v.Field)
	w.raw(`,"type":`)
	w.appendString(v.Type)
	w.raw(`,"clusterIP":`)
	w.appendString(v.ClusterIP)
	w.raw(`,"sessionAffinity":`)
	w.appendString(v.SessionAffinity)
	w.raw(`,"externalTrafficPolicy":`)
	w.appendString(v.ExternalTrafficPolicy)
	w.raw(`,"publishNotReadyAddresses":`)
	w.appendBool(v.PublishNotReadyAddresses)
	w.raw(`,"loadBalancerClass":`)
	w.appendString(v.LoadBalancerClass)
	w.raw(`,"loadBalancerSourceRanges":`)
	w.appendStrings(v.LoadBalancerSourceRanges)
	w.raw(`,"annotations":`)
	w.appendStringMap(v.Annotations)
	w.raw(`,"ports":`)
	appendList(w, v.Ports, (*inputWriter).appendServicePort)
	w.raw(`}`)
}

// appendServicePort appends *v as JSON.
func (w *inputWriter) appendServicePort(v *inServicePort) {
	w.raw(`{"path":`)
	w.appendString(v.Path)
	w.raw(`,"field":`)
	w.appendString(v.Field)
	w.raw(`,"portField":`)
	w.appendString(v.PortField)
	w.raw(`,"name":`)
	w.appendString(v.Name)
	w.raw(`,"protocol":`)
	w.appendString(v.Protocol)
	w.raw(`,"port":`)
	w.appendInt(int64(v.Port))
	w.raw(`,"targetPort":`)
	w.appendString(v.TargetPort)
	w.raw(`,"nodePort":`)
	w.appendInt(int64(v.NodePort))
	w.raw(`}`)
}

// appendDisruptionBudget appends *v as JSON.
func (w *inputWriter) appendDisruptionBudget(v *inDisruptionBudget) {
	w.raw(`{"name":`)
	w.appendString(v.Name)
	w.raw(`,"ref":`)
	w.appendString(v.Ref)
	w.raw(`,"field":`)
	w.appendString(v.Field)
	w.raw(`,"selectsWorkload":`)
	w.appendBool(v.SelectsWorkload)
	w.raw(`,"maxUnavailable":`)
	appendPointer(w, v.MaxUnavailable, (*inputWriter).appendManifestAmount)
	w.raw(`,"minAvailable":`)
	appendPointer(w, v.MinAvailable, (*inputWriter).appendManifestAmount)
	w.raw(`,"unhealthyPodEvictionPolicy":`)
	w.appendString(v.UnhealthyPodEvictionPolicy)
	w.raw(`}`)
}

// appendManifestAmount appends *v as JSON.
func (w *inputWriter) appendManifestAmount(v *inManifestAmount) {
	w.raw(`{"path":`)
	w.appendString(v.Path)
	w.raw(`,"field":`)
	w.appendString(v.Field)
	w.raw(`,"value":`)
	w.appendInt(int64(v.Value))
	w.raw(`,"percent":`)
	w.appendBool(v.Percent)
	w.raw(`}`)
}

// appendAutoscaler appends *v as JSON.
func (w *inputWriter) appendAutoscaler(v *inAutoscaler) {
	w.raw(`{"name":`)
	w.appendString(v.Name)
	w.raw(`,"ref":`)
	w.appendString(v.Ref)
	w.raw(`,"field":`)
	w.appendString(v.Field)
	w.raw(`,"scaleTargetRef":`)
	w.appendScaleRef(&v.Target)
	w.raw(`,"scalesWorkload":`)
	w.appendBool(v.ScalesWorkload)
	w.raw(`,"minReplicas":`)
	w.appendInt(int64(v.MinReplicas))
	w.raw(`,"maxReplicas":`)
	w.appendInt(int64(v.MaxReplicas))
	w.raw(`,"metrics":`)
	appendList(w, v.Metrics, (*inputWriter).appendMetric)
	w.raw(`}`)
}

// appendScaleRef appends *v as JSON.
func (w *inputWriter) appendScaleRef(v *inScaleRef) {
	w.raw(`{"apiVersion":`)
	w.appendString(v.APIVersion)
	w.raw(`,"kind":`)
	w.appendString(v.Kind)
	w.raw(`,"name":`)
	w.appendString(v.Name)
	w.raw(`}`)
}

// appendMetric appends *v as JSON.
func (w *inputWriter) appendMetric(v *inMetric) {
	w.raw(`{"path":`)
	w.appendString(v.Path)
	w.raw(`,"field":`)
	w.appendString(v.Field)
	w.raw(`,"type":`)
	w.appendString(v.Type)
	w.raw(`,"resource":`)
	w.appendString(v.Resource)
	w.raw(`,"targetType":`)
	w.appendString(v.TargetType)
	w.raw(`,"averageUtilization":`)
	w.appendInt(int64(v.AverageUtilization))
	w.raw(`}`)
}

// appendNetworkPolicyObj appends *v as JSON.
func (w *inputWriter) appendNetworkPolicyObj(v *inNetworkPolicyObj) {
	w.raw(`{"name":`)
	w.appendString(v.Name)
	w.raw(`,"ref":`)
	w.appendString(v.Ref)
	w.raw(`,"field":`)
	w.appendString(v.Field)
	w.raw(`,"selectsWorkload":`)
	w.appendBool(v.SelectsWorkload)
	w.raw(`,"policyTypes":`)
	w.appendStrings(v.PolicyTypes)
	w.raw(`,"ingress":`)
	appendList(w, v.Ingress, (*inputWriter).appendIngressRule)
	w.raw(`,"egress":`)
	w.appendInt(int64(v.Egress))
	w.raw(`}`)
}

// appendIngressRule appends *v as JSON.
func (w *inputWriter) appendIngressRule(v *inIngressRule) {
	w.raw(`{"path":`)
	w.appendString(v.Path)
	w.raw(`,"anywhere":`)
	w.appendBool(v.Anywhere)
	w.raw(`,"peers":`)
	appendList(w, v.Peers, (*inputWriter).appendPeer)
	w.raw(`,"ports":`)
	appendList(w, v.Ports, (*inputWriter).appendPolicyPort)
	w.raw(`}`)
}

// appendPeer appends *v as JSON.
func (w *inputWriter) appendPeer(v *inPeer) {
	w.raw(`{"podSelector":`)
	appendPointer(w, v.Pods, (*inputWriter).appendSelector)
	w.raw(`,"namespaceSelector":`)
	appendPointer(w, v.Namespaces, (*inputWriter).appendSelector)
	w.raw(`,"ipBlock":`)
	w.appendString(v.IPBlock)
	w.raw(`}`)
}

// appendSelector appends *v as JSON.
func (w *inputWriter) appendSelector(v *inSelector) {
	w.raw(`{"matchLabels":`)
	w.appendStringMap(v.MatchLabels)
	w.raw(`,"matchExpressions":`)
	appendList(w, v.MatchExpressions, (*inputWriter).appendRequirement)
	w.raw(`}`)
}

// appendRequirement appends *v as JSON.
func (w *inputWriter) appendRequirement(v *inRequirement) {
	w.raw(`{"key":`)
	w.appendString(v.Key)
	w.raw(`,"operator":`)
	w.appendString(v.Operator)
	w.raw(`,"values":`)
	w.appendStrings(v.Values)
	w.raw(`}`)
}

// appendPolicyPort appends *v as JSON.
func (w *inputWriter) appendPolicyPort(v *inPolicyPort) {
	w.raw(`{"field":`)
	w.appendString(v.Field)
	w.raw(`,"protocol":`)
	w.appendString(v.Protocol)
	w.raw(`,"port":`)
	w.appendString(v.Port)
	w.raw(`}`)
}

// appendEachManifestContainer appends *v as JSON.
func (w *inputWriter) appendEachManifestContainer(v *inEachManifestContainer) {
	w.raw(`{"container":`)
	appendPointer(w, v.Container, (*inputWriter).appendManifestContainer)
	w.raw(`,"workload":`)
	w.appendWorkloadRef(&v.Workload)
	w.raw(`,"params":`)
	w.appendParams(&v.Params)
	w.raw(`}`)
}

// appendWorkloadRef appends *v as JSON.
func (w *inputWriter) appendWorkloadRef(v *inWorkloadRef) {
	w.raw(`{"kind":`)
	w.appendString(v.Kind)
	w.raw(`,"name":`)
	w.appendString(v.Name)
	w.raw(`,"ref":`)
	w.appendString(v.Ref)
	w.raw(`,"podSpecPath":`)
	w.appendString(v.PodSpecPath)
	w.raw(`}`)
}
