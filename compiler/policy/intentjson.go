package policy

// The JSON of the intent inputs: one appender per in* type, writing its
// fields in order under their tags (see inputwriter.go). A field added to
// a type needs its line here.

// appendWholeIntent appends *v as JSON.
func (w *inputWriter) appendWholeIntent(v *inWholeIntent) {
	w.raw(`{"intent":`)
	appendPointer(w, v.Intent, (*inputWriter).appendIntent)
	w.raw(`,"params":`)
	w.appendParams(&v.Params)
	w.raw(`}`)
}

// appendIntent appends *v as JSON.
func (w *inputWriter) appendIntent(v *inIntent) {
	w.raw(`{"name":`)
	w.appendString(v.Name)
	w.raw(`,"labels":`)
	w.appendStringMap(v.Labels)
	w.raw(`,"controller":`)
	w.appendString(v.Controller)
	w.raw(`,"replicas":`)
	w.appendInt(int64(v.Replicas))
	w.raw(`,"restartPolicy":`)
	w.appendString(v.RestartPolicy)
	w.raw(`,"hostNetwork":`)
	w.appendBool(v.HostNetwork)
	w.raw(`,"hostPid":`)
	w.appendBool(v.HostPid)
	w.raw(`,"hostIpc":`)
	w.appendBool(v.HostIpc)
	w.raw(`,"containers":`)
	appendList(w, v.Containers, (*inputWriter).appendContainer)
	w.raw(`,"services":`)
	appendList(w, v.Services, (*inputWriter).appendIntentService)
	w.raw(`,"nodePorts":`)
	appendList(w, v.NodePorts, (*inputWriter).appendNodePort)
	w.raw(`,"securityContext":`)
	w.appendPodSecurity(&v.SecurityContext)
	w.raw(`,"terminationGracePeriodSeconds":`)
	w.appendInt(v.TerminationGracePeriodSeconds)
	w.raw(`,"resources":`)
	w.appendPodResources(&v.Resources)
	w.raw(`,"nodeSelector":`)
	w.appendStringMap(v.NodeSelector)
	w.raw(`,"tolerations":`)
	appendList(w, v.Tolerations, (*inputWriter).appendToleration)
	w.raw(`,"affinity":`)
	w.appendAffinity(&v.Affinity)
	w.raw(`,"topologySpreadConstraints":`)
	appendList(w, v.TopologySpreadConstraints, (*inputWriter).appendSpread)
	w.raw(`,"priorityClassName":`)
	w.appendString(v.PriorityClassName)
	w.raw(`,"runtimeClassName":`)
	w.appendString(v.RuntimeClassName)
	w.raw(`,"dnsPolicy":`)
	w.appendString(v.DNSPolicy)
	w.raw(`,"hostAliases":`)
	w.appendStrings(v.HostAliases)
	w.raw(`,"imagePullSecrets":`)
	w.appendStrings(v.ImagePullSecrets)
	w.raw(`,"serviceAccountName":`)
	w.appendString(v.ServiceAccountName)
	w.raw(`,"automountServiceAccountToken":`)
	w.appendBoolPointer(v.AutomountServiceAccountToken)
	w.raw(`,"hostname":`)
	w.appendString(v.Hostname)
	w.raw(`,"subdomain":`)
	w.appendString(v.Subdomain)
	w.raw(`,"selector":`)
	w.appendStringMap(v.Selector)
	w.raw(`,"podLabels":`)
	w.appendStringMap(v.PodLabels)
	w.raw(`,"volumes":`)
	appendList(w, v.Volumes, (*inputWriter).appendVolume)
	w.raw(`,"strategy":`)
	w.appendStrategy(&v.Strategy)
	w.raw(`,"minReadySeconds":`)
	w.appendInt(int64(v.MinReadySeconds))
	w.raw(`,"revisionHistoryLimit":`)
	w.appendInt(int64(v.RevisionHistoryLimit))
	w.raw(`,"progressDeadlineSeconds":`)
	w.appendInt(int64(v.ProgressDeadlineSeconds))
	w.raw(`,"autoscaling":`)
	appendPointer(w, v.Autoscaling, (*inputWriter).appendAutoscaling)
	w.raw(`,"protection":`)
	w.appendProtection(&v.Protection)
	w.raw(`}`)
}

// appendContainer appends *v as JSON.
func (w *inputWriter) appendContainer(v *inContainer) {
	w.raw(`{"path":`)
	w.appendString(v.Path)
	w.raw(`,"role":`)
	w.appendString(v.Role)
	w.raw(`,"name":`)
	w.appendString(v.Name)
	w.raw(`,"image":`)
	w.appendString(v.Image)
	w.raw(`,"registry":`)
	w.appendString(v.Registry)
	w.raw(`,"tag":`)
	w.appendString(v.Tag)
	w.raw(`,"pinned":`)
	w.appendBool(v.Pinned)
	w.raw(`,"exposed":`)
	w.appendBool(v.Exposed)
	w.raw(`,"cpu":`)
	w.appendAmount(&v.CPU)
	w.raw(`,"memory":`)
	w.appendAmount(&v.Memory)
	w.raw(`,"ephemeralStorage":`)
	w.appendAmount(&v.EphemeralStorage)
	w.raw(`,"extended":`)
	appendList(w, v.Extended, (*inputWriter).appendDevice)
	w.raw(`,"ports":`)
	appendList(w, v.Ports, (*inputWriter).appendPort)
	w.raw(`,"probes":`)
	w.appendProbes(&v.Probes)
	w.raw(`,"securityContext":`)
	w.appendSecurity(&v.SecurityContext)
	w.raw(`,"lifecycle":`)
	w.appendHooks(&v.Lifecycle)
	w.raw(`,"env":`)
	appendList(w, v.Env, (*inputWriter).appendEnv)
	w.raw(`,"stdin":`)
	w.appendBool(v.Stdin)
	w.raw(`,"stdinOnce":`)
	w.appendBool(v.StdinOnce)
	w.raw(`,"tty":`)
	w.appendBool(v.TTY)
	w.raw(`}`)
}

// appendAmount appends *v as JSON.
func (w *inputWriter) appendAmount(v *inAmount) {
	w.raw(`{"request":`)
	w.appendNumber(v.Request)
	w.raw(`,"limit":`)
	w.appendNumber(v.Limit)
	w.raw(`}`)
}

// appendDevice appends *v as JSON.
func (w *inputWriter) appendDevice(v *inDevice) {
	w.raw(`{"name":`)
	w.appendString(v.Name)
	w.raw(`,"count":`)
	w.appendNumber(v.Count)
	w.raw(`}`)
}

// appendPort appends *v as JSON.
func (w *inputWriter) appendPort(v *inPort) {
	w.raw(`{"path":`)
	w.appendString(v.Path)
	w.raw(`,"name":`)
	w.appendString(v.Name)
	w.raw(`,"containerPort":`)
	w.appendInt(int64(v.ContainerPort))
	w.raw(`,"expose":`)
	w.appendString(v.Expose)
	w.raw(`,"nodePort":`)
	w.appendInt(int64(v.NodePort))
	w.raw(`}`)
}

// appendProbes appends *v as JSON.
func (w *inputWriter) appendProbes(v *inProbes) {
	w.raw(`{"liveness":`)
	w.appendBool(v.Liveness)
	w.raw(`,"readiness":`)
	w.appendBool(v.Readiness)
	w.raw(`,"startup":`)
	w.appendBool(v.Startup)
	w.raw(`}`)
}

// appendSecurity appends *v as JSON.
func (w *inputWriter) appendSecurity(v *inSecurity) {
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
	w.raw(`,"capabilitiesAdd":`)
	w.appendStrings(v.CapabilitiesAdd)
	w.raw(`,"capabilitiesDrop":`)
	w.appendStrings(v.CapabilitiesDrop)
	w.raw(`,"seccompProfile":`)
	w.appendStringPointer(v.SeccompProfile)
	w.raw(`}`)
}

// appendHooks appends *v as JSON.
func (w *inputWriter) appendHooks(v *inHooks) {
	w.raw(`{"postStart":`)
	w.appendString(v.PostStart)
	w.raw(`,"preStop":`)
	w.appendString(v.PreStop)
	w.raw(`}`)
}

// appendEnv appends *v as JSON.
func (w *inputWriter) appendEnv(v *inEnv) {
	w.raw(`{"path":`)
	w.appendString(v.Path)
	w.raw(`,"name":`)
	w.appendString(v.Name)
	w.raw(`,"source":`)
	w.appendString(v.Source)
	w.raw(`,"field":`)
	w.appendString(v.Field)
	w.raw(`,"container":`)
	w.appendString(v.Container)
	w.raw(`,"resource":`)
	w.appendString(v.Resource)
	w.raw(`}`)
}

// appendIntentService appends *v as JSON.
func (w *inputWriter) appendIntentService(v *inIntentService) {
	w.raw(`{"path":`)
	w.appendString(v.Path)
	w.raw(`,"name":`)
	w.appendString(v.Name)
	w.raw(`,"type":`)
	w.appendString(v.Type)
	w.raw(`,"externalTrafficPolicy":`)
	w.appendString(v.ExternalTrafficPolicy)
	w.raw(`,"publishNotReadyAddresses":`)
	w.appendBool(v.PublishNotReadyAddresses)
	w.raw(`,"loadBalancerClass":`)
	w.appendString(v.LoadBalancerClass)
	w.raw(`,"loadBalancerSourceRanges":`)
	w.appendStrings(v.LoadBalancerSourceRanges)
	w.raw(`,"ports":`)
	appendList(w, v.Ports, (*inputWriter).appendIntentServicePort)
	w.raw(`}`)
}

// appendIntentServicePort appends *v as JSON.
func (w *inputWriter) appendIntentServicePort(v *inIntentServicePort) {
	w.raw(`{"path":`)
	w.appendString(v.Path)
	w.raw(`,"name":`)
	w.appendString(v.Name)
	w.raw(`,"servicePort":`)
	w.appendInt(int64(v.ServicePort))
	w.raw(`,"nodePort":`)
	w.appendInt(int64(v.NodePort))
	w.raw(`}`)
}

// appendNodePort appends *v as JSON.
func (w *inputWriter) appendNodePort(v *inNodePort) {
	w.raw(`{"field":`)
	w.appendString(v.Field)
	w.raw(`,"nodePort":`)
	w.appendInt(int64(v.NodePort))
	w.raw(`}`)
}

// appendPodSecurity appends *v as JSON.
func (w *inputWriter) appendPodSecurity(v *inPodSecurity) {
	w.raw(`{"runAsNonRoot":`)
	w.appendBoolPointer(v.RunAsNonRoot)
	w.raw(`,"runAsUser":`)
	w.appendIntPointer(v.RunAsUser)
	w.raw(`,"runAsGroup":`)
	w.appendIntPointer(v.RunAsGroup)
	w.raw(`,"seccompProfile":`)
	w.appendStringPointer(v.SeccompProfile)
	w.raw(`,"fsGroup":`)
	w.appendIntPointer(v.FSGroup)
	w.raw(`,"supplementalGroups":`)
	w.appendInts(v.SupplementalGroups)
	w.raw(`,"sysctls":`)
	appendList(w, v.Sysctls, (*inputWriter).appendSysctl)
	w.raw(`}`)
}

// appendSysctl appends *v as JSON.
func (w *inputWriter) appendSysctl(v *inSysctl) {
	w.raw(`{"field":`)
	w.appendString(v.Field)
	w.raw(`,"name":`)
	w.appendString(v.Name)
	w.raw(`,"safe":`)
	w.appendBool(v.Safe)
	w.raw(`}`)
}

// appendPodResources appends *v as JSON.
func (w *inputWriter) appendPodResources(v *inPodResources) {
	w.raw(`{"cpu":`)
	w.appendAmount(&v.CPU)
	w.raw(`,"memory":`)
	w.appendAmount(&v.Memory)
	w.raw(`}`)
}

// appendToleration appends *v as JSON.
func (w *inputWriter) appendToleration(v *inToleration) {
	w.raw(`{"field":`)
	w.appendString(v.Field)
	w.raw(`,"key":`)
	w.appendString(v.Key)
	w.raw(`,"operator":`)
	w.appendString(v.Operator)
	w.raw(`,"value":`)
	w.appendString(v.Value)
	w.raw(`,"effect":`)
	w.appendString(v.Effect)
	w.raw(`,"tolerationSeconds":`)
	w.appendIntPointer(v.TolerationSeconds)
	w.raw(`}`)
}

// appendAffinity appends *v as JSON.
func (w *inputWriter) appendAffinity(v *inAffinity) {
	w.raw(`{"node":`)
	w.appendBool(v.Node)
	w.raw(`,"pod":`)
	w.appendBool(v.Pod)
	w.raw(`,"podAnti":`)
	w.appendBool(v.PodAnti)
	w.raw(`}`)
}

// appendSpread appends *v as JSON.
func (w *inputWriter) appendSpread(v *inSpread) {
	w.raw(`{"field":`)
	w.appendString(v.Field)
	w.raw(`,"topologyKey":`)
	w.appendString(v.TopologyKey)
	w.raw(`,"maxSkew":`)
	w.appendInt(int64(v.MaxSkew))
	w.raw(`,"whenUnsatisfiable":`)
	w.appendString(v.WhenUnsatisfiable)
	w.raw(`}`)
}

// appendVolume appends *v as JSON.
func (w *inputWriter) appendVolume(v *inVolume) {
	w.raw(`{"path":`)
	w.appendString(v.Path)
	w.raw(`,"name":`)
	w.appendString(v.Name)
	w.raw(`,"type":`)
	w.appendString(v.Type)
	w.raw(`,"serviceAccountTokens":`)
	appendList(w, v.Tokens, (*inputWriter).appendToken)
	w.raw(`}`)
}

// appendToken appends *v as JSON.
func (w *inputWriter) appendToken(v *inToken) {
	w.raw(`{"field":`)
	w.appendString(v.Field)
	w.raw(`,"audience":`)
	w.appendString(v.Audience)
	w.raw(`,"expirationSeconds":`)
	w.appendInt(v.ExpirationSeconds)
	w.raw(`}`)
}

// appendStrategy appends *v as JSON.
func (w *inputWriter) appendStrategy(v *inStrategy) {
	w.raw(`{"type":`)
	w.appendString(v.Type)
	w.raw(`,"maxSurge":`)
	w.appendString(v.MaxSurge)
	w.raw(`,"maxUnavailable":`)
	w.appendString(v.MaxUnavailable)
	w.raw(`}`)
}

// appendAutoscaling appends *v as JSON.
func (w *inputWriter) appendAutoscaling(v *inAutoscaling) {
	w.raw(`{"minReplicas":`)
	w.appendInt(int64(v.MinReplicas))
	w.raw(`,"maxReplicas":`)
	w.appendInt(int64(v.MaxReplicas))
	w.raw(`,"cpu":`)
	w.appendInt(int64(v.CPU))
	w.raw(`,"memory":`)
	w.appendInt(int64(v.Memory))
	w.raw(`}`)
}

// appendProtection appends *v as JSON.
func (w *inputWriter) appendProtection(v *inProtection) {
	w.raw(`{"disruptionBudget":`)
	appendPointer(w, v.DisruptionBudget, (*inputWriter).appendBudget)
	w.raw(`,"spreadTopologyKeys":`)
	w.appendStrings(v.SpreadTopologyKeys)
	w.raw(`,"antiAffinityTopologyKeys":`)
	w.appendStrings(v.AntiAffinityTopologyKeys)
	w.raw(`,"networkPolicy":`)
	appendPointer(w, v.NetworkPolicy, (*inputWriter).appendNetworkPolicy)
	w.raw(`}`)
}

// appendBudget appends *v as JSON.
func (w *inputWriter) appendBudget(v *inBudget) {
	w.raw(`{"maxUnavailable":`)
	appendPointer(w, v.MaxUnavailable, (*inputWriter).appendIntOrPercent)
	w.raw(`,"minAvailable":`)
	appendPointer(w, v.MinAvailable, (*inputWriter).appendIntOrPercent)
	w.raw(`,"unhealthyPodEviction":`)
	w.appendString(v.UnhealthyPodEviction)
	w.raw(`}`)
}

// appendIntOrPercent appends *v as JSON.
func (w *inputWriter) appendIntOrPercent(v *inIntOrPercent) {
	w.raw(`{"value":`)
	w.appendInt(int64(v.Value))
	w.raw(`,"percent":`)
	w.appendBool(v.Percent)
	w.raw(`}`)
}

// appendNetworkPolicy appends *v as JSON.
func (w *inputWriter) appendNetworkPolicy(v *inNetworkPolicy) {
	w.raw(`{"clusterClients":`)
	w.appendString(v.ClusterClients)
	w.raw(`,"clientLabels":`)
	w.appendStringMap(v.ClientLabels)
	w.raw(`}`)
}

// appendParams appends *v as JSON.
func (w *inputWriter) appendParams(v *inParams) {
	w.raw(`{"profile":`)
	w.appendString(v.Profile)
	w.raw(`,"nodePortMin":`)
	w.appendInt(int64(v.NodePortMin))
	w.raw(`,"nodePortMax":`)
	w.appendInt(int64(v.NodePortMax))
	w.raw(`}`)
}

// appendEachContainer appends *v as JSON.
func (w *inputWriter) appendEachContainer(v *inEachContainer) {
	w.raw(`{"container":`)
	appendPointer(w, v.Container, (*inputWriter).appendContainer)
	w.raw(`,"pod":`)
	w.appendPod(&v.Pod)
	w.raw(`,"params":`)
	w.appendParams(&v.Params)
	w.raw(`}`)
}

// appendPod appends *v as JSON.
func (w *inputWriter) appendPod(v *inPod) {
	w.raw(`{"controller":`)
	w.appendString(v.Controller)
	w.raw(`,"restartPolicy":`)
	w.appendString(v.RestartPolicy)
	w.raw(`,"securityContext":`)
	w.appendPodContainer(&v.SecurityContext)
	w.raw(`,"resources":`)
	w.appendPodResources(&v.Resources)
	w.raw(`}`)
}

// appendPodContainer appends *v as JSON.
func (w *inputWriter) appendPodContainer(v *inPodContainer) {
	w.raw(`{"runAsNonRoot":`)
	w.appendBoolPointer(v.RunAsNonRoot)
	w.raw(`,"runAsUser":`)
	w.appendIntPointer(v.RunAsUser)
	w.raw(`,"runAsGroup":`)
	w.appendIntPointer(v.RunAsGroup)
	w.raw(`,"seccompProfile":`)
	w.appendStringPointer(v.SeccompProfile)
	w.raw(`}`)
}
