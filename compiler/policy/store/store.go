// Package store holds a policy bundle that serves requests and replaces it
// when its directory changes: a candidate bundle is loaded and checked off
// the request path and promoted only when both succeed, so a broken bundle
// never takes the service down.
package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/podc-dev/podc/compiler/policy"
)

// Status is the state of a Store's loading.
type Status struct {
	// Digest and Source name the active bundle; LoadedAt is when it was
	// loaded.
	Digest   string
	Source   string
	LoadedAt time.Time
	// LastError is the error of the last failed load: the newest files did
	// not compile and the active bundle is older. Empty when the newest
	// files are active.
	LastError   string
	LastErrorAt time.Time
	// Reloads counts the bundles a reload made active; Failures the loads
	// (and the reads of the bundle directory) that failed. Both count
	// since the store was made.
	Reloads, Failures uint64
}

// Store holds the active bundle and swaps it atomically on reload. It is
// safe for concurrent use. A request reads Bundle once and keeps that
// bundle, so a reload never changes a request in flight.
type Store struct {
	load   func(dir string) (*policy.Bundle, error)
	cur    atomic.Pointer[policy.Bundle]
	status atomic.Pointer[Status]
	// reloads and failures are Status's counters.
	reloads, failures atomic.Uint64
	// mu serializes loads, so a slow load cannot overwrite a newer one.
	mu sync.Mutex
}

// Loader loads and checks a candidate bundle from a directory; the
// bundle is promoted only when it returns no error.
type Loader func(dir string) (*policy.Bundle, error)

// New returns a store serving b. load makes candidates on Reload; nil
// means policy.LoadDir with default options, unchecked.
func New(b *policy.Bundle, load Loader) *Store {
	if load == nil {
		load = func(dir string) (*policy.Bundle, error) { return policy.LoadDir(dir, policy.Options{}) }
	}
	s := &Store{load: load}
	s.cur.Store(b)
	s.status.Store(&Status{Digest: b.Digest(), Source: b.Source(), LoadedAt: time.Now()})
	return s
}

// Bundle returns the active bundle.
func (s *Store) Bundle() *policy.Bundle { return s.cur.Load() }

// Status returns the state of the last load.
func (s *Store) Status() Status {
	st := *s.status.Load()
	st.Reloads, st.Failures = s.reloads.Load(), s.failures.Load()
	return st
}

// failed records a failed load or read of the bundle directory.
func (s *Store) failed(err error, at time.Time) {
	st := *s.status.Load()
	st.LastError, st.LastErrorAt = err.Error(), at
	s.status.Store(&st)
	s.failures.Add(1)
}

// Reload loads and checks the bundle in dir and, if both succeed, makes it
// the active bundle. A bundle that fails is not used: the active bundle
// keeps serving and the error shows in Status. A bundle identical to the
// active one (same digest) is not swapped.
func (s *Store) Reload(dir string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := s.load(dir)
	now := time.Now()
	if err != nil {
		s.failed(err, now)
		return err
	}
	if cur := s.cur.Load(); cur != nil && cur.Digest() == b.Digest() && cur.Source() == b.Source() {
		st := *s.status.Load()
		st.LastError, st.LastErrorAt = "", time.Time{}
		s.status.Store(&st)
		return nil
	}
	s.cur.Store(b)
	s.status.Store(&Status{Digest: b.Digest(), Source: b.Source(), LoadedAt: now})
	s.reloads.Add(1)
	return nil
}

// Watch polls dir every interval (fsnotify is not a dependency) and reloads
// the bundle when the names, sizes, modification times or contents of its
// .cue files change. It compiles off the request path, swaps the new bundle
// in atomically and never replaces a good bundle with a broken one: the
// failure goes to log and to Status. It returns when ctx is done.
func (s *Store) Watch(ctx context.Context, dir string, interval time.Duration, log *slog.Logger) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if interval <= 0 {
		interval = 2 * time.Second
	}
	// The first poll always loads: the files may have changed between the
	// load that built the active bundle and this call. Reload keeps the
	// active bundle when the digest is the same.
	last := ""
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		stamp, err := dirStamp(dir)
		if err != nil {
			if stamp != last {
				log.Warn("policy watch: cannot read the bundle directory", "dir", dir, "error", err)
				s.failed(err, time.Now())
			}
			last = stamp
			continue
		}
		if stamp == last {
			continue
		}
		last = stamp
		if err := s.Reload(dir); err != nil {
			log.Error("policy reload failed; the previous bundle keeps serving", "dir", dir, "active_digest", s.Bundle().Digest(), "error", err)
			continue
		}
		log.Info("policy bundle loaded", "dir", dir, "digest", s.Bundle().Digest())
	}
}

// dirStamp fingerprints the .cue files of dir: names, sizes, modification
// times and a hash of the contents (so a change within the clock's
// resolution is still seen). On error the stamp names the error.
func dirStamp(dir string) (string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return "error: " + err.Error(), err
	}
	h := sha256.New()
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		if !e.IsDir() && filepath.Ext(e.Name()) == ".cue" {
			names = append(names, e.Name())
		}
	}
	slices.Sort(names)
	for _, n := range names {
		data, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				continue // removed between ReadDir and ReadFile
			}
			return "error: " + err.Error(), err
		}
		fmt.Fprintf(h, "%s\x00%d\x00", n, len(data))
		h.Write(data)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
