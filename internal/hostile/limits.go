package hostile

import (
	"fmt"
	"strings"

	"google.golang.org/grpc/codes"

	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// containers returns n containers named c0, c1, ...
func containers(n int) []*podcv1.Container {
	cs := make([]*podcv1.Container, n)
	for i := range cs {
		cs[i] = app(fmt.Sprintf("c%d", i))
	}
	return cs
}

func ports(n int) []*podcv1.Port {
	ps := make([]*podcv1.Port, n)
	for i := range ps {
		ps[i] = &podcv1.Port{ContainerPort: int32(1 + i%65535)}
	}
	return ps
}

// limitCases are intents beyond the size limits.
func limitCases() []Case {
	with := func(f func(c *podcv1.Container)) *podcv1.WorkloadIntent {
		c := app("web")
		f(c)
		return pod(c)
	}
	strs := func(n int, s string) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = s
		}
		return out
	}
	env := make([]*podcv1.EnvVar, 5000)
	for i := range env {
		env[i] = &podcv1.EnvVar{Name: fmt.Sprintf("V%d", i), Source: &podcv1.EnvVar_Value{Value: "x"}}
	}
	envFrom := make([]*podcv1.EnvFrom, 2000)
	for i := range envFrom {
		envFrom[i] = &podcv1.EnvFrom{Source: &podcv1.EnvFrom_ConfigMap{ConfigMap: "cm"}}
	}
	volumes := make([]*podcv1.Volume, 1000)
	for i := range volumes {
		volumes[i] = &podcv1.Volume{Name: fmt.Sprintf("v%d", i), Source: &podcv1.Volume_Scratch{Scratch: &podcv1.ScratchVolume{}}}
	}
	mounts := make([]*podcv1.Mount, 1000)
	for i := range mounts {
		mounts[i] = &podcv1.Mount{Volume: "v", Path: fmt.Sprintf("/m/%d", i)}
	}
	labels, annotations := map[string]string{}, map[string]string{}
	for i := range 1000 {
		labels[fmt.Sprintf("l%d", i)] = "x"
		annotations[fmt.Sprintf("a%d", i)] = "x"
	}
	headers := make([]*podcv1.HTTPHeader, 2000)
	for i := range headers {
		headers[i] = &podcv1.HTTPHeader{Name: "X-H", Value: "v"}
	}
	mixed := &podcv1.WorkloadIntent{Name: "hostile", InitSteps: containers(30), Containers: containers(30), Sidecars: containers(10)}
	podPorts := containers(5)
	for _, c := range podPorts {
		c.Ports = ports(250)
	}
	heavy := app("web")
	for i := range 6 {
		heavy.Env = append(heavy.Env, &podcv1.EnvVar{Name: fmt.Sprintf("V%d", i), Source: &podcv1.EnvVar_Value{Value: strings.Repeat("v", 200<<10)}})
	}
	big := strings.Repeat("x", 300<<10)

	return []Case{
		refused("limits-5000-containers", pod(containers(5000)...), "containers", "5000 containers, at most 64"),
		refused("limits-10000-containers", pod(containers(10000)...), "containers", "10000 containers, at most 64"),
		refused("limits-5000-init-steps", &podcv1.WorkloadIntent{Name: "hostile", InitSteps: containers(5000), Containers: containers(1)}, "initSteps", "5000 init steps, at most 64"),
		refused("limits-containers-together", mixed, "sidecars", "bring the pod to 70 containers"),
		refused("limits-100000-ports", with(func(c *podcv1.Container) { c.Ports = ports(100000) }), "containers[0].ports", "100000 ports, at most 256"),
		refused("limits-ports-in-the-pod", pod(podPorts...), "containers[4].ports", "bring the pod to 1250 ports, at most 1024"),
		refused("limits-5000-env", with(func(c *podcv1.Container) { c.Env = env }), "containers[0].env", "5000 variables, at most 1024"),
		refused("limits-2000-env-from", with(func(c *podcv1.Container) { c.EnvFrom = envFrom }), "containers[0].envFrom", "2000 sources, at most 1024"),
		refused("limits-1000-volumes", &podcv1.WorkloadIntent{Name: "hostile", Containers: containers(1), Volumes: volumes}, "volumes", "1000 volumes, at most 256"),
		refused("limits-1000-mounts", with(func(c *podcv1.Container) { c.Mounts = mounts }), "containers[0].mounts", "1000 mounts, at most 256"),
		refused("limits-1000-labels", &podcv1.WorkloadIntent{Name: "hostile", Containers: containers(1), Labels: labels}, "labels", "1000 labels, at most 256"),
		refused("limits-1000-annotations", &podcv1.WorkloadIntent{Name: "hostile", Containers: containers(1), Annotations: annotations}, "annotations", "1000 annotations, at most 256"),
		refused("limits-5000-args", with(func(c *podcv1.Container) { c.Args = strs(5000, "-v") }), "containers[0].args", "5000 entries, at most 1024"),
		refused("limits-2000-capabilities", with(func(c *podcv1.Container) {
			c.SecurityContext = &podcv1.SecurityContext{CapabilitiesAdd: strs(2000, "NET_ADMIN")}
		}), "containers[0].securityContext.capabilitiesAdd", "2000 capabilities, at most 1024"),
		refused("limits-2000-headers", with(func(c *podcv1.Container) {
			c.Probes = &podcv1.Probes{Liveness: &podcv1.Probe{Handler: &podcv1.Probe_HttpGet{HttpGet: &podcv1.HTTPGetAction{Port: "80", Headers: headers}}}}
		}), "containers[0].probes.liveness.httpGet.headers", "2000 headers, at most 1024"),
		refused("limits-long-image", with(func(c *podcv1.Container) { c.Image = "registry.example.com/" + strings.Repeat("a", 5000) }), "containers[0].image", "5021 bytes, at most 1024"),
		refused("limits-long-env-value", with(func(c *podcv1.Container) {
			c.Env = []*podcv1.EnvVar{{Name: "V", Source: &podcv1.EnvVar_Value{Value: big}}}
		}), "containers[0].env[0].value", "307200 bytes, at most 262144"),
		refused("limits-long-command", with(func(c *podcv1.Container) { c.Command = []string{big} }), "containers[0].command[0]", "307200 bytes, at most 262144"),
		refused("limits-long-working-dir", with(func(c *podcv1.Container) { c.WorkingDir = "/" + strings.Repeat("d", 5000) }), "containers[0].workingDir", "5001 bytes, at most 4096"),
		refused("limits-long-mount-path", with(func(c *podcv1.Container) {
			c.Mounts = []*podcv1.Mount{{Volume: "v", Path: "/" + strings.Repeat("p/", 3000)}}
		}), "containers[0].mounts[0].path", "6001 bytes, at most 4096"),
		refused("limits-long-label-key", &podcv1.WorkloadIntent{Name: "hostile", Containers: containers(1), Labels: map[string]string{strings.Repeat("k", 400): "v"}}, "labels", "a key of 400 bytes, at most 317"),
		refused("limits-long-label-value", &podcv1.WorkloadIntent{Name: "hostile", Containers: containers(1), Labels: map[string]string{"team": strings.Repeat("v", 300)}}, `labels["team"]`, "300 bytes, at most 253"),
		refused("limits-long-annotation-value", &podcv1.WorkloadIntent{Name: "hostile", Containers: containers(1), Annotations: map[string]string{"note": big}}, `annotations["note"]`, "307200 bytes, at most 262144"),
		refused("limits-intent-over-1mib", pod(heavy), "", "at most 1048576"),
		{
			// A 3.9 MB name of control characters (tabs, which YAML keeps
			// raw in a quoted string), within the 4 MiB input bound.
			Name:  "limits-3.9mb-control-character-name",
			Input: []byte("name: \"" + strings.Repeat("\t", 3900000) + "\"\ncontainers:\n  - name: web\n    image: nginx:1.27.3\n"),
			Exit:  1, Code: codes.InvalidArgument,
			Field: "name", Message: "3900000 bytes, at most 253",
		},
	}
}
