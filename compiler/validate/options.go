package validate

import (
	"sync"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/version"
	utilfeature "k8s.io/apiserver/pkg/util/feature"
	"k8s.io/component-base/featuregate"
	podutil "k8s.io/kubernetes/pkg/api/pod"
	"k8s.io/kubernetes/pkg/apis/autoscaling"
	autoscalingvalidation "k8s.io/kubernetes/pkg/apis/autoscaling/validation"
	"k8s.io/kubernetes/pkg/apis/core"
	corevalidation "k8s.io/kubernetes/pkg/apis/core/validation"
	"k8s.io/kubernetes/pkg/features"

	"github.com/podc-dev/podc/compiler/target"
)

// gates is the kube-apiserver's feature gates with the version history of
// each feature, read once.
var gates = sync.OnceValue(func() map[featuregate.Feature]featuregate.VersionedSpecs {
	return utilfeature.DefaultMutableFeatureGate.GetAllVersioned()
})

// enabledAt reports whether feature f is on by default in a kube-apiserver
// of version v: the default of the newest spec not newer than v. A feature
// that did not exist yet at v is off.
func enabledAt(f featuregate.Feature, v target.Version) bool {
	k := gateAt{f, v}
	if on, ok := gatesAt.Load(k); ok {
		return on.(bool)
	}
	on := defaultAt(f, v)
	gatesAt.Store(k, on)
	return on
}

// gatesAt remembers enabledAt's answers: the gates' history is fixed, and
// there are as many entries as features asked about times versions
// targeted, a few hundred at most.
var gatesAt sync.Map // gateAt -> bool

type gateAt struct {
	f featuregate.Feature
	v target.Version
}

// defaultAt is enabledAt, worked out.
func defaultAt(f featuregate.Feature, v target.Version) bool {
	at := version.MajorMinor(1, uint(v.Minor))
	var best *featuregate.FeatureSpec
	specs := gates()[f]
	for i := range specs {
		s := &specs[i]
		if s.Version == nil || at.LessThan(s.Version) {
			continue
		}
		if best == nil || best.Version.LessThan(s.Version) {
			best = s
		}
	}
	return best != nil && best.Default
}

// podOptions returns the PodValidationOptions a kube-apiserver of version v
// uses to validate a new pod spec: the apiserver's own choice for a create
// (no old object), with every feature-gated option set as v's default
// feature gates imply.
func podOptions(spec *core.PodSpec, meta *metav1.ObjectMeta, v target.Version) corevalidation.PodValidationOptions {
	opts := podutil.GetValidationOptionsFromPodSpecAndMeta(spec, nil, meta, nil)
	opts.AllowInvalidPodDeletionCost = !enabledAt(features.PodDeletionCost, v)
	opts.PodLevelResourcesEnabled = enabledAt(features.PodLevelResources, v)
	opts.AllowSidecarResizePolicy = enabledAt(features.InPlacePodVerticalScaling, v)
	opts.AllowMatchLabelKeysInPodTopologySpread = enabledAt(features.MatchLabelKeysInPodTopologySpread, v)
	opts.AllowMatchLabelKeysInPodTopologySpreadSelectorMerge = enabledAt(features.MatchLabelKeysInPodTopologySpreadSelectorMerge, v)
	opts.InPlacePodLevelResourcesVerticalScalingEnabled = enabledAt(features.InPlacePodLevelResourcesVerticalScaling, v)
	opts.InPlacePodVerticalScalingMemoryBackedVolumesEnabled = enabledAt(features.InPlacePodVerticalScalingMemoryBackedVolumes, v)
	opts.AllowContainerRestartPolicyRules = enabledAt(features.ContainerRestartRules, v)
	opts.AllowRestartAllContainers = enabledAt(features.RestartAllContainersOnContainerExits, v)
	opts.AllowImageVolumeWithDigest = enabledAt(features.ImageVolumeWithDigest, v)
	opts.AllowRelaxedEnvironmentVariableValidation = enabledAt(features.RelaxedEnvironmentVariableValidation, v)
	return opts
}

// autoscalerOptions returns the validation options a kube-apiserver of
// version v uses for a new HorizontalPodAutoscaler: at least one replica
// unless scaling to zero is on by default there, and a scale target with
// an API group.
func autoscalerOptions(hpa *autoscaling.HorizontalPodAutoscaler, v target.Version) autoscalingvalidation.HorizontalPodAutoscalerSpecValidationOptions {
	opts := autoscalingvalidation.HorizontalPodAutoscalerSpecValidationOptions{
		MinReplicasLowerBound:           1,
		ScaleTargetRefValidationOptions: autoscalingvalidation.CrossVersionObjectReferenceValidationOptions{RequiredCoveredByDeclarative: true},
		ObjectMetricsValidationOptions:  autoscalingvalidation.CrossVersionObjectReferenceValidationOptions{AllowEmptyAPIGroup: true},
	}
	if enabledAt(features.HPAScaleToZero, v) {
		opts.MinReplicasLowerBound = 0
	}
	if hpa.Spec.ScaleTargetRef.Kind == "ReplicationController" {
		opts.ScaleTargetRefValidationOptions.AllowEmptyAPIGroup = true
	}
	return opts
}
