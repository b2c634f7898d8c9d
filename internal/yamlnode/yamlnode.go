// Package yamlnode holds the small questions podc asks of YAML nodes when
// it reads intents and manifests: whether a node is null, and how many
// nodes a document writes (to bound alias expansion).
package yamlnode

import yaml "go.yaml.in/yaml/v4"

// IsNull reports whether n is a null scalar.
func IsNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// Count counts the nodes written below and at n, aliases once (not what
// they expand to).
func Count(n *yaml.Node) int {
	count := 1
	if n.Kind != yaml.AliasNode {
		for _, c := range n.Content {
			count += Count(c)
		}
	}
	return count
}
