package intent

import "strings"

// Kubernetes writes the port of a tcpSocket or httpGet action as an
// IntOrString: a number or a port name. The intent's field is a string, so
// a document may give it either way: `port: 8080` is read as "8080".

// numericPortField reports whether a value at path (an intent field path) is
// such a port.
func numericPortField(path string) bool {
	return strings.HasSuffix(path, "tcpSocket.port") || strings.HasSuffix(path, "httpGet.port")
}

// quotePortNumbers returns a JSON document with every number given as the
// port of a tcpSocket or httpGet object written as a string ("port": 8080
// becomes "port": "8080"), and data itself when there is none. Other
// values, and anything inside strings, are left as they are; malformed JSON
// is returned for the decoder to refuse.
func quotePortNumbers(data []byte) []byte {
	var out []byte // nil until something changes
	last := 0      // data[:last] is in out
	// open holds one entry per open object or array: the key of the
	// object's current member, or arrayMark for an array.
	const arrayMark = "\x00["
	var open []string
	var key string // the last string read
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
			if expectKey && j <= len(data) {
				key = string(data[i+1 : min(j, len(data))])
			}
			i = j
		case '{':
			open = append(open, "")
			expectKey = true
		case '[':
			open = append(open, arrayMark)
			expectKey = false
		case '}', ']':
			if len(open) > 0 {
				open = open[:len(open)-1]
			}
			expectKey = false
		case ',':
			expectKey = len(open) > 0 && open[len(open)-1] != arrayMark
		case ':':
			expectKey = false
			if len(open) == 0 || open[len(open)-1] == arrayMark {
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
			parent := ""
			if len(open) >= 2 {
				parent = open[len(open)-2]
			}
			if end > j && key == "port" && (parent == "tcpSocket" || parent == "httpGet") && numberEnds(data, end) {
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
