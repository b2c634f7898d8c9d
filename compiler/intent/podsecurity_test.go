package intent

import (
	"strings"
	"testing"
)

// pod wraps pod-level JSON fields into an intent with one container.
func pod(fields string) string {
	return `{"name": "app", ` + fields + `, "containers": [{"name": "a", "image": "x"}]}`
}

func TestCheckPodSecurity(t *testing.T) {
	for _, tc := range []struct {
		name   string
		intent string
		want   []string // "field: message fragment", in order
	}{
		{"every field", pod(`"securityContext": {"runAsUser": 1000, "runAsGroup": 3000, "runAsNonRoot": true, "seccompProfile": "SECCOMP_PROFILE_RUNTIME_DEFAULT",
			"fsGroup": 2000, "fsGroupChangePolicy": "FS_GROUP_CHANGE_POLICY_ON_ROOT_MISMATCH", "supplementalGroups": [4000, 0],
			"sysctls": [{"name": "net.ipv4.tcp_keepalive_time", "value": "600"}, {"name": "kernel/shm_rmid_forced", "value": "1"}]}`), nil},
		{"empty", pod(`"securityContext": {}`), nil},
		{"ids out of range", pod(`"securityContext": {"runAsUser": -1, "runAsGroup": 2147483648, "fsGroup": -5, "supplementalGroups": [1, -1, 1]}`), []string{
			"securityContext.runAsUser: -1 is not a valid user id",
			"securityContext.runAsGroup: 2147483648 is not a valid group id",
			"securityContext.fsGroup: -5 is not a valid group id",
			"securityContext.supplementalGroups[1]: -1 is not a valid group id",
			"securityContext.supplementalGroups[2]: duplicate group 1: also at supplementalGroups[0]",
		}},
		{"root with runAsNonRoot", pod(`"securityContext": {"runAsUser": 0, "runAsNonRoot": true}`), []string{
			"securityContext.runAsUser: 0 is root, but runAsNonRoot is true",
		}},
		{"change policy without fsGroup", pod(`"securityContext": {"fsGroupChangePolicy": "FS_GROUP_CHANGE_POLICY_ALWAYS"}`), []string{
			"securityContext.fsGroupChangePolicy: has no effect without fsGroup",
		}},
		{"unknown enums", pod(`"securityContext": {"fsGroup": 1, "fsGroupChangePolicy": 7, "seccompProfile": 9}`), []string{
			"securityContext.seccompProfile: unknown seccomp profile 9",
			"securityContext.fsGroupChangePolicy: unknown fsGroup change policy 7",
		}},
		{"sysctls", pod(`"securityContext": {"sysctls": [{"name": "", "value": "1"}, {"name": "Net.IPv4.x", "value": "1"}, {"name": "net.ipv4.tcp_syncookies"},
			{"name": "net/ipv4/tcp_syncookies", "value": "1"}, {"name": "net.ipv4..x", "value": "1"}]}`), []string{
			"securityContext.sysctls[0].name: required",
			`securityContext.sysctls[1].name: "Net.IPv4.x" is not a sysctl name`,
			"securityContext.sysctls[2].value: required",
			`securityContext.sysctls[3].name: duplicate sysctl "net/ipv4/tcp_syncookies": also set at sysctls[2]`,
			`securityContext.sysctls[4].name: "net.ipv4..x" is not a sysctl name`,
		}},
		{"net sysctl with host network", pod(`"hostNetwork": true, "hostIpc": true, "securityContext": {"sysctls": [{"name": "net.core.somaxconn", "value": "1024"}, {"name": "kernel.msgmax", "value": "1"}, {"name": "kernel.domainname", "value": "x"}]}`), []string{
			`securityContext.sysctls[0].name: "net.core.somaxconn" is a network namespace parameter, and with hostNetwork`,
			`securityContext.sysctls[1].name: "kernel.msgmax" is an IPC namespace parameter, and with hostIpc`,
		}},
		{"ipc sysctl without host ipc", pod(`"securityContext": {"sysctls": [{"name": "kernel.msgmax", "value": "1"}, {"name": "fs.mqueue.msg_max", "value": "1"}]}`), nil},
		{"pod runAsNonRoot, container user 0", `{"name": "app", "securityContext": {"runAsNonRoot": true}, "containers": [{"name": "a", "image": "x", "securityContext": {"runAsUser": 0}}, {"name": "b", "image": "x", "securityContext": {"runAsUser": 0, "runAsNonRoot": false}}]}`, []string{
			"containers[0].securityContext: would run as user 0 (containers[0].securityContext.runAsUser) with runAsNonRoot true (securityContext.runAsNonRoot)",
		}},
		{"pod user 0, container runAsNonRoot", `{"name": "app", "securityContext": {"runAsUser": 0}, "initSteps": [{"name": "i", "image": "x", "securityContext": {"runAsNonRoot": true}}], "containers": [{"name": "a", "image": "x", "securityContext": {"runAsNonRoot": true, "runAsUser": 1}}]}`, []string{
			"initSteps[0].securityContext: would run as user 0 (securityContext.runAsUser) with runAsNonRoot true (initSteps[0].securityContext.runAsNonRoot)",
		}},
		{"pod conflict reported once", `{"name": "app", "securityContext": {"runAsNonRoot": true, "runAsUser": 0}, "containers": [{"name": "a", "image": "x"}, {"name": "b", "image": "x"}]}`, []string{
			"securityContext.runAsUser: 0 is root",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, f := range Check(mustDecode(t, tc.intent), Options{}) {
				got = append(got, f.String())
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %d findings, want %d:\n  %s", len(got), len(tc.want), strings.Join(got, "\n  "))
			}
			for i := range got {
				if !strings.HasPrefix(got[i], tc.want[i]) {
					t.Errorf("finding %d = %q, want %q", i, got[i], tc.want[i])
				}
			}
		})
	}
}

func TestCheckLimitsPodSecurity(t *testing.T) {
	wi := mustDecode(t, pod(`"securityContext": {}`))
	for range 1025 {
		wi.SecurityContext.SupplementalGroups = append(wi.SecurityContext.SupplementalGroups, 1)
	}
	fs := CheckLimits(wi, Limits{})
	wantLimit(t, fs, "securityContext.supplementalGroups", "1025 groups, at most 1024")
	fs = CheckLimits(wi, Limits{ListItems: 2000})
	if len(fs) != 0 {
		t.Errorf("within a raised limit: %v", fs)
	}
}
