package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"time"
)

// DefaultReloadPoll is how often, by default, the TLS and token files are
// looked at for changes.
const DefaultReloadPoll = 2 * time.Second

// filesStamp fingerprints the contents of paths. Symbolic links are
// followed, so a Kubernetes Secret volume, which swaps a link to a new
// directory, is seen to change.
func filesStamp(paths []string) (string, error) {
	h := sha256.New()
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(h, "%d\x00", len(data))
		h.Write(data)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// watchFiles calls reload whenever the contents of paths change, looking
// every interval until ctx is done; first is the stamp of the files that
// are already loaded. A file that cannot be read, or a reload that fails,
// is logged and tried again at the next change: what was loaded before
// stays in use.
func watchFiles(ctx context.Context, what string, paths []string, first string, interval time.Duration, log *slog.Logger, reload func() error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if interval <= 0 {
		interval = DefaultReloadPoll
	}
	last := first
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		stamp, err := filesStamp(paths)
		if err != nil {
			if last != "error" {
				log.Error(what+": cannot read; the loaded ones stay in use", "error", err)
			}
			last = "error"
			continue
		}
		if stamp == last {
			continue
		}
		last = stamp
		if err := reload(); err != nil {
			log.Error(what+": reload failed; the loaded ones stay in use", "error", err)
			continue
		}
		log.Info(what + ": reloaded")
	}
}
