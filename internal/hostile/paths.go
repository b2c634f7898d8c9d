package hostile

import (
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// pathCases are names and paths that try to escape or inject: path
// traversal in volumes and mounts, control characters, non-ASCII names.
func pathCases() []Case {
	mount := func(m *podcv1.Mount) *podcv1.WorkloadIntent {
		c := app("web")
		c.Mounts = []*podcv1.Mount{m}
		wi := pod(c)
		wi.Volumes = []*podcv1.Volume{{Name: "data", Source: &podcv1.Volume_Scratch{Scratch: &podcv1.ScratchVolume{}}}}
		return wi
	}
	volume := func(v *podcv1.Volume) *podcv1.WorkloadIntent {
		wi := pod(app("web"))
		wi.Volumes = []*podcv1.Volume{v}
		return wi
	}
	named := func(name string) *podcv1.WorkloadIntent {
		return &podcv1.WorkloadIntent{Name: name, Containers: []*podcv1.Container{app("web")}}
	}
	return []Case{
		refused("path-subpath-traversal", mount(&podcv1.Mount{Volume: "data", Path: "/data", SubPath: "../../etc/passwd"}), "containers[0].mounts[0].subPath", "must not contain '..'"),
		refused("path-subpath-backslash-traversal", mount(&podcv1.Mount{Volume: "data", Path: "/data", SubPath: `a\..\..\windows`}), "containers[0].mounts[0].subPath", "must not contain '..'"),
		refused("path-subpath-absolute", mount(&podcv1.Mount{Volume: "data", Path: "/data", SubPath: "/etc/shadow"}), "containers[0].mounts[0].subPath", "relative path"),
		refused("path-mount-relative", mount(&podcv1.Mount{Volume: "data", Path: "../etc"}), "containers[0].mounts[0].path", "absolute path"),
		refused("path-mount-unknown-volume", mount(&podcv1.Mount{Volume: "../data", Path: "/data"}), "containers[0].mounts[0].volume", "no volume named"),
		refused("path-volume-name-traversal", volume(&podcv1.Volume{Name: "../secret", Source: &podcv1.Volume_Scratch{Scratch: &podcv1.ScratchVolume{}}}), "volumes[0].name", "not a valid volume name"),
		refused("path-config-name-traversal", volume(&podcv1.Volume{Name: "cfg", Source: &podcv1.Volume_Config{Config: &podcv1.ConfigVolume{Name: "../../kube-system/x"}}}), "volumes[0].config.name", "not a valid ConfigMap name"),
		refused("path-claim-name-slash", volume(&podcv1.Volume{Name: "pvc", Source: &podcv1.Volume_Persistent{Persistent: &podcv1.PersistentVolume{ClaimName: "a/b"}}}), "volumes[0].persistent.claimName", "not a valid PersistentVolumeClaim name"),
		refused("path-working-dir-relative", pod(&podcv1.Container{Name: "web", Image: "nginx:1.27.3", WorkingDir: "../../root"}), "containers[0].workingDir", "absolute path"),
		refused("name-traversal", named("../../etc"), "name", "not a valid name"),
		refused("name-nul", named("web\x00admin"), "name", "not a valid name"),
		refused("name-newline-log-injection", named("web\nlevel=error msg=pwned"), "name", "not a valid name"),
		refused("name-unicode", named("wéb"), "name", "not a valid name"),
		refused("name-container-traversal", pod(&podcv1.Container{Name: "../web", Image: "nginx:1.27.3"}), "containers[0].name", "not a valid container name"),
		refused("name-env-with-equals", pod(&podcv1.Container{Name: "web", Image: "nginx:1.27.3", Env: []*podcv1.EnvVar{{Name: "A=B", Source: &podcv1.EnvVar_Value{Value: "x"}}}}), "containers[0].env[0].name", "not a valid environment variable name"),
		refused("name-image-control-characters", pod(&podcv1.Container{Name: "web", Image: "nginx\r\n:1.27.3"}), "containers[0].image", ""),
		refused("name-namespace-traversal", &podcv1.WorkloadIntent{Name: "web", Namespace: "../kube-system", Containers: []*podcv1.Container{app("web")}}, "namespace", "not a valid namespace"),
		refused("name-label-value-nul", &podcv1.WorkloadIntent{Name: "web", Labels: map[string]string{"team": "a\x00b"}, Containers: []*podcv1.Container{app("web")}}, `labels["team"]`, "not a valid label value"),
	}
}
