package intent

import (
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// workload checks the pod-level choices: controller, replicas, restart
// policy, namespaces shared with the node and at least one container.
func (c *checker) workload() {
	wi := c.wi
	if !enumValid(wi.GetController(), podcv1.Controller_name) {
		c.addf("controller", "unknown controller %d: want CONTROLLER_POD or CONTROLLER_DEPLOYMENT", wi.GetController())
	}
	if !enumValid(wi.GetRestartPolicy(), podcv1.RestartPolicy_name) {
		c.addf("restartPolicy", "unknown restart policy %d: want RESTART_POLICY_ALWAYS, RESTART_POLICY_ON_FAILURE or RESTART_POLICY_NEVER", wi.GetRestartPolicy())
	}
	deployment := wi.GetController() == podcv1.Controller_CONTROLLER_DEPLOYMENT
	if deployment {
		switch wi.GetRestartPolicy() {
		case podcv1.RestartPolicy_RESTART_POLICY_ON_FAILURE, podcv1.RestartPolicy_RESTART_POLICY_NEVER:
			c.addf("restartPolicy", "%s is not allowed for CONTROLLER_DEPLOYMENT: a Deployment's pods must restart Always", wi.GetRestartPolicy())
		}
		if wi.Replicas != nil && wi.GetReplicas() < 0 {
			c.addf("replicas", "%d is negative: replicas must be 0 or more", wi.GetReplicas())
		}
	} else if wi.Replicas != nil {
		c.addf("replicas", "only allowed with controller CONTROLLER_DEPLOYMENT: a bare Pod has no replicas")
	}
	if wi.GetShareProcessNamespace() && wi.GetHostPid() {
		c.addf("shareProcessNamespace", "cannot be combined with hostPid: the pod either shares the node's process namespace or its own")
	}
	if len(wi.GetContainers()) == 0 {
		c.addf("containers", "at least one container is required")
	}
}
