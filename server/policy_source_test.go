package server

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/podc-dev/podc/compiler"
	"github.com/podc-dev/podc/compiler/policy"
	"github.com/podc-dev/podc/compiler/policy/store"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

func TestStripDir(t *testing.T) {
	for _, tc := range []struct{ msg, dir, want string }{
		{"policy bundle /srv/pol: /srv/pol/rules.cue:3:1: expected operand", "/srv/pol",
			"policy bundle <policies>: rules.cue:3:1: expected operand"},
		{"open /srv/pol/x.cue: permission denied", "/srv/pol/", "open x.cue: permission denied"},
		{"pol/a.cue:1:1: bad; pol: 2 problems", "./pol", "a.cue:1:1: bad; <policies>: 2 problems"},
		{"/srv/policy/a.cue and /srv/pol-b/c.cue", "/srv/pol", "/srv/policy/a.cue and /srv/pol-b/c.cue"},
		{"rules.cue:1:1: bad", "embedded", "rules.cue:1:1: bad"},
		{"a.cue: bad", ".", "a.cue: bad"},
	} {
		if got := stripDir(tc.msg, tc.dir); got != tc.want {
			t.Errorf("stripDir(%q, %q)\n got %q\nwant %q", tc.msg, tc.dir, got, tc.want)
		}
	}
}

// TestListPoliciesHidesServerPaths loads a bundle from a directory, breaks
// it, and requires ListPolicies to name neither the directory nor any path
// in it, while still saying which file is broken.
func TestListPoliciesHidesServerPaths(t *testing.T) {
	dir := t.TempDir()
	cues, err := filepath.Glob("../policies/*.cue")
	if err != nil || len(cues) == 0 {
		t.Fatalf("no policies: %v", err)
	}
	for _, f := range cues {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(dir, filepath.Base(f)), data)
	}
	b, err := policy.LoadDir(dir, policy.Options{})
	if err != nil {
		t.Fatal(err)
	}
	store := store.New(b, nil)
	e := startWith(t, Options{Policies: store, Compiler: compiler.New(compiler.Options{Policies: store})})

	resp, err := e.policy.ListPolicies(context.Background(), &podcv1.ListPoliciesRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if resp.Source != SourceDirectory || resp.Digest != b.Digest() {
		t.Errorf("source %q digest %q", resp.Source, resp.Digest)
	}

	writeFile(t, filepath.Join(dir, "zz-broken.cue"), []byte("this is { not CUE"))
	if err := store.Reload(dir); err == nil {
		t.Fatal("a broken bundle loaded")
	}
	if !strings.Contains(store.Status().LastError, dir) {
		t.Fatalf("the store's error does not name the directory, so this test proves nothing: %q", store.Status().LastError)
	}
	resp, err = e.policy.ListPolicies(context.Background(), &podcv1.ListPoliciesRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(resp.LastError, "zz-broken.cue:1:") {
		t.Errorf("lastError does not name the broken file: %q", resp.LastError)
	}
	if strings.Contains(resp.LastError, dir) || strings.Contains(resp.LastError, filepath.Dir(dir)) || strings.Contains(resp.Source, "/") {
		t.Errorf("a server path leaks: source %q, lastError %q", resp.Source, resp.LastError)
	}
}

func TestListPoliciesEmbeddedSource(t *testing.T) {
	resp, err := start(t).policy.ListPolicies(context.Background(), &podcv1.ListPoliciesRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if resp.Source != SourceEmbedded || resp.LastError != "" {
		t.Errorf("source %q lastError %q", resp.Source, resp.LastError)
	}
}
