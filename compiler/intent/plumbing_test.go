package intent

import (
	"strings"
	"testing"
)

func TestCheckPlumbing(t *testing.T) {
	for _, tc := range []struct {
		name   string
		intent string
		want   []string // "field: message fragment", in order
	}{
		{"every field", `{"name": "app", "dnsPolicy": "DNS_POLICY_NONE", "dnsConfig": {"nameservers": ["10.0.0.10", "2001:db8::1"], "searches": ["svc.cluster.local", "my_corp.example.", "."],
			"options": [{"name": "ndots", "value": "2"}, {"name": "edns0"}]}, "hostAliases": [{"ip": "127.0.0.2", "hostnames": ["foo.local", "bar"]}],
			"imagePullSecrets": ["regcred", "other"], "automountServiceAccountToken": false, "hostname": "web-0", "subdomain": "web",
			"containers": [{"name": "a", "image": "x", "stdin": true, "tty": true}]}`, nil},
		{"none without name servers", pod(`"dnsPolicy": "DNS_POLICY_NONE"`), []string{"dnsConfig.nameservers: at least one name server is needed with DNS_POLICY_NONE"}},
		{"dns config", pod(`"dnsPolicy": 9, "dnsConfig": {"nameservers": ["1.1.1.1", "8.8.8.8", "9.9.9.9", "10.0.0.1", "x"], "searches": ["Bad Domain"], "options": [{"value": "1"}]}`), []string{
			"dnsPolicy: unknown DNS policy 9",
			"dnsConfig.nameservers: 5 name servers, at most 3",
			`dnsConfig.nameservers[4]: "x" is not an IP address`,
			`dnsConfig.searches[0]: "Bad Domain" is not a valid search domain`,
			"dnsConfig.options[0].name: required",
		}},
		{"host aliases", pod(`"hostAliases": [{"ip": "", "hostnames": ["a"]}, {"ip": "10.0.0.1"}, {"ip": "10.0.0.1", "hostnames": ["UPPER"]}]`), []string{
			"hostAliases[0].ip: required",
			"hostAliases[1].hostnames: at least one host name is needed",
			`hostAliases[2].hostnames[0]: "UPPER" is not a valid host name`,
		}},
		{"pull secrets and names", pod(`"imagePullSecrets": ["a", "", "a"], "hostname": "a.b", "subdomain": "-x"`), []string{
			"imagePullSecrets[1]: required: the name of the Secret",
			`imagePullSecrets[2]: duplicate Secret "a"`,
			`hostname: "a.b" is not a valid host name`,
			`subdomain: "-x" is not a valid subdomain`,
		}},
		{"tty without stdin", app(`{"name": "a", "image": "x", "tty": true}`), []string{"containers[0].tty: needs stdin"}},
		{"stdinOnce without stdin", app(`{"name": "a", "image": "x", "stdinOnce": true}`), []string{"containers[0].stdinOnce: needs stdin"}},
		{"stdinOnce with stdin", app(`{"name": "a", "image": "x", "stdin": true, "stdinOnce": true, "tty": true}`), nil},
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
