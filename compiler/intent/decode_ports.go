package intent

import "strings"

// A document may write some fields as Kubernetes does where the intent's
// JSON form differs:
//
//   - Kubernetes writes the port of a tcpSocket or httpGet action, a
//     Deployment strategy's maxSurge and maxUnavailable, and a disruption
//     budget's maxUnavailable and minAvailable, as an IntOrString: a number
//     or a string (a port name, a percentage). The intent's fields
//     are strings, so a document may give them either way: `port: 8080` is
//     read as "8080", `maxSurge: 1` as "1".
//   - Kubernetes spells the downward API volume and projected source
//     downwardAPI; the intent's JSON name is downwardApi. Either is read.

// kubernetesKey is the intent's JSON name for key, a member name as
// Kubernetes spells it.
func kubernetesKey(key string) string {
	if key == "downwardAPI" {
		return "downwardApi"
	}
	return key
}

// numericPortField reports whether a value at path (an intent field path) is
// such a field.
func numericPortField(path string) bool {
	return strings.HasSuffix(path, "tcpSocket.port") || strings.HasSuffix(path, "httpGet.port") ||
		path == "strategy.maxSurge" || path == "strategy.maxUnavailable" ||
		path == "protection.disruptionBudget.maxUnavailable" || path == "protection.disruptionBudget.minAvailable"
}

// intOrStringMember reports whether member key of an object that is member
// parent of its own parent is such a field.
func intOrStringMember(parent, key []byte) bool {
	switch string(key) {
	case "port":
		return string(parent) == "tcpSocket" || string(parent) == "httpGet"
	case "maxSurge":
		return string(parent) == "strategy"
	case "maxUnavailable":
		return string(parent) == "strategy" || string(parent) == "disruptionBudget"
	case "minAvailable":
		return string(parent) == "disruptionBudget"
	}
	return false
}

// asIntentJSON returns a JSON document with every number given as the port
// of a tcpSocket or httpGet object, the maxSurge or maxUnavailable of a
// strategy, or the maxUnavailable or minAvailable of a disruption budget,
// written as a string ("port": 8080 becomes "port": "8080"), and
// every member name Kubernetes spells differently in the intent's spelling
// (kubernetesKey); data itself when there is none. Other values, and
// anything inside strings, are left as they are; malformed JSON is returned
// for the decoder to refuse.
func asIntentJSON(data []byte) []byte {
	var out []byte // nil until something changes
	last := 0      // data[:last] is in out
	// open holds one entry per open object or array: the key of the
	// object's current member, or arrayMark for an array.
	var open [][]byte // nil marks an array
	var key []byte    // the last string read, a slice of data
	expectKey := false
	for i := 0; i < len(data); i++ {
		switch data[i] {
		case '"':
			j := i + 1
			for j < len(data) && data[j] != '"' {
				if data[j] == '\\' {
					j++
				}
				j++
			}
			if expectKey {
				key = data[i+1 : min(j, len(data))]
				if k := kubernetesKey(string(key)); k != string(key) && len(k) == len(key) {
					// The same length: rewritten in place in the copy.
					out = append(out, data[last:i+1]...)
					out = append(out, k...)
					last = i + 1 + len(k)
					key = []byte(k)
				}
			}
			i = j
		case '{':
			open = append(open, []byte{})
			expectKey = true
		case '[':
			open = append(open, nil)
			expectKey = false
		case '}', ']':
			if len(open) > 0 {
				open = open[:len(open)-1]
			}
			expectKey = false
		case ',':
			expectKey = len(open) > 0 && open[len(open)-1] != nil
		case ':':
			expectKey = false
			if len(open) == 0 || open[len(open)-1] == nil {
				continue
			}
			open[len(open)-1] = key
			j := i + 1
			for j < len(data) && (data[j] == ' ' || data[j] == '\t' || data[j] == '\n' || data[j] == '\r') {
				j++
			}
			end := j
			for end < len(data) && data[end] >= '0' && data[end] <= '9' {
				end++
			}
			var parent []byte
			if len(open) >= 2 {
				parent = open[len(open)-2]
			}
			if end > j && intOrStringMember(parent, key) && numberEnds(data, end) {
				out = append(out, data[last:j]...)
				out = append(out, '"')
				out = append(out, data[j:end]...)
				out = append(out, '"')
				last = end
				i = end - 1
			}
		}
	}
	if out == nil {
		return data
	}
	return append(out, data[last:]...)
}

// numberEnds reports whether a run of digits ending at end is a whole JSON
// number (not the start of 8080.5 or 1e3, which stay numbers for the
// decoder to refuse).
func numberEnds(data []byte, end int) bool {
	return end == len(data) || strings.IndexByte(".eE", data[end]) < 0
}
