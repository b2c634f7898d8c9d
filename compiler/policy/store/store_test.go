package store_test

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/podc-dev/podc/compiler/policy"
	"github.com/podc-dev/podc/compiler/policy/store"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
	"github.com/podc-dev/podc/internal/bundletest"
)

const goodV1 = `package p
profiles: baseline: description: "v1"
rules: "v.name": {profiles: ["baseline"], severity: "warn", stage: "intent", message: "v1", description: "d",
	violations: [{field: "name"}]}
`

const goodV2 = `package p
profiles: baseline: description: "v2"
rules: "v.name": {profiles: ["baseline"], severity: "deny", stage: "intent", message: "v2", description: "d",
	violations: [{field: "name"}]}
`

const broken = `package p
profiles: baseline: description: "broken"
rules: "v.name": {profiles: ["baseline"], severity: "deny"
`

// syncBuffer is a log sink safe for the watcher goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestReloadGoodBrokenGood(t *testing.T) {
	dir := bundletest.Write(t, map[string]string{"rules.cue": goodV1})
	b1, err := policy.LoadDir(dir, policy.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s := store.New(b1, nil)
	write := func(src string) {
		if err := os.WriteFile(filepath.Join(dir, "rules.cue"), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	write(broken)
	if err := s.Reload(dir); err == nil {
		t.Fatal("broken bundle loaded")
	}
	st := s.Status()
	if s.Bundle() != b1 || st.Digest != b1.Digest() || !strings.Contains(st.LastError, "rules.cue:") || st.LastErrorAt.IsZero() {
		t.Errorf("after a broken load: bundle swapped or status %+v", st)
	}
	if st.Reloads != 0 || st.Failures != 1 {
		t.Errorf("after a broken load: %d reloads, %d failures; want 0, 1", st.Reloads, st.Failures)
	}

	write(goodV2)
	if err := s.Reload(dir); err != nil {
		t.Fatal(err)
	}
	st = s.Status()
	if s.Bundle() == b1 || st.Digest == b1.Digest() || st.LastError != "" || !st.LastErrorAt.IsZero() {
		t.Errorf("after a good load: status %+v", st)
	}
	if got := s.Bundle().Profiles()[0].Description; got != "v2" {
		t.Errorf("active bundle is %q, want v2", got)
	}
	if st.Reloads != 1 || st.Failures != 1 {
		t.Errorf("after a good load: %d reloads, %d failures; want 1, 1", st.Reloads, st.Failures)
	}

	// The same files again: nothing is swapped, nothing counted.
	if err := s.Reload(dir); err != nil {
		t.Fatal(err)
	}
	if st = s.Status(); st.Reloads != 1 || st.Failures != 1 {
		t.Errorf("after an unchanged load: %d reloads, %d failures; want 1, 1", st.Reloads, st.Failures)
	}
}

// Many goroutines evaluate while the watcher reloads the bundle good ->
// broken -> good. Every evaluation gets a consistent answer from the
// bundle it started with, and a broken bundle never serves. Run with -race.
func TestWatchUnderTraffic(t *testing.T) {
	dir := bundletest.Write(t, map[string]string{"rules.cue": goodV1})
	b1, err := policy.LoadDir(dir, policy.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s := store.New(b1, nil)
	var logs syncBuffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	ctx, cancel := context.WithCancel(context.Background())
	watched := make(chan struct{})
	go func() {
		s.Watch(ctx, dir, 5*time.Millisecond, log)
		close(watched)
	}()

	wi := &podcv1.WorkloadIntent{Name: "hello", Containers: []*podcv1.Container{{Name: "web", Image: "nginx:1.27.3"}}}
	var stop atomic.Bool
	var evals atomic.Int64
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := 0; !stop.Load(); i++ {
				b := s.Bundle()
				w := proto.Clone(wi).(*podcv1.WorkloadIntent)
				w.Labels = map[string]string{"n": string(rune('a' + (g*31+i)%26))}
				ir, err := b.EvaluateIntent(context.Background(), w, policy.Params{})
				if err != nil {
					t.Errorf("evaluate: %v", err)
					return
				}
				desc := b.Profiles()[0].Description
				if len(ir.Findings) != 1 || ir.Findings[0].Message != desc {
					t.Errorf("bundle %s answered %v", desc, ir.Findings)
					return
				}
				evals.Add(1)
			}
		})
	}

	waitFor := func(what string, cond func() bool) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for !cond() {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s; status %+v", what, s.Status())
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	write := func(src string) {
		if err := os.WriteFile(filepath.Join(dir, "rules.cue"), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	write(broken)
	waitFor("the broken bundle to be reported", func() bool { return s.Status().LastError != "" })
	if s.Bundle() != b1 {
		t.Error("a broken bundle replaced the good one")
	}
	write(goodV2)
	waitFor("v2 to load", func() bool { return s.Bundle().Profiles()[0].Description == "v2" })
	if st := s.Status(); st.LastError != "" || st.Digest != s.Bundle().Digest() {
		t.Errorf("status after recovery: %+v", st)
	}
	write(goodV1)
	waitFor("v1 to load again", func() bool { return s.Bundle().Profiles()[0].Description == "v1" })

	stop.Store(true)
	wg.Wait()
	cancel()
	<-watched
	if evals.Load() == 0 {
		t.Error("no evaluations ran")
	}
	out := logs.String()
	if !strings.Contains(out, "policy reload failed") || !strings.Contains(out, "policy bundle loaded") {
		t.Errorf("log lacks the failure or the reload:\n%s", out)
	}
}
