package yamlnode

import (
	"testing"

	yaml "go.yaml.in/yaml/v4"
)

func TestCountAndIsNull(t *testing.T) {
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte("a: &x [1, 2]\nb: *x\nc: null\nd: ~\ne: 'null'\n"), &doc); err != nil {
		t.Fatal(err)
	}
	// document, mapping, 5 keys, the list and its 2 items, the alias, 3 scalars
	if got := Count(&doc); got != 14 {
		t.Errorf("Count = %d, want 14", got)
	}
	m := doc.Content[0]
	for i, want := range map[int]bool{5: true, 7: true, 9: false, 1: false} {
		if got := IsNull(m.Content[i]); got != want {
			t.Errorf("IsNull(%q) = %t, want %t", m.Content[i].Value, got, want)
		}
	}
}
