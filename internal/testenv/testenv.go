package testenv

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// missing skips t, or fails it under CI=true.
func missing(t testing.TB, msg string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatal("CI=true: " + msg)
	}
	t.Skip(msg)
}

// GNUGo returns the path of GNU Go: gnugo on PATH or /usr/games/gnugo
// (where Debian installs it).
func GNUGo(t testing.TB) string {
	t.Helper()
	if p, err := exec.LookPath("gnugo"); err == nil {
		return p
	}
	if _, err := os.Stat("/usr/games/gnugo"); err == nil {
		return "/usr/games/gnugo"
	}
	missing(t, "GNU Go not found (neither gnugo on PATH nor /usr/games/gnugo); "+
		"install it with `apt-get install gnugo` or run scripts/test, which does")
	return ""
}

// SharedData returns the shared data folder (…/shared/data):
// $TENGEN_SHARED/data (TENGEN_SHARED names the shared folder itself) or a
// "shared/data" beside the working directory or one of its parents.
func SharedData(t testing.TB) string {
	t.Helper()
	if d := os.Getenv("TENGEN_SHARED"); d != "" {
		if isDir(filepath.Join(d, "data")) {
			return filepath.Join(d, "data")
		}
		missing(t, "TENGEN_SHARED="+d+" has no data folder")
		return ""
	}
	if dir, err := os.Getwd(); err == nil {
		for {
			if cand := filepath.Join(dir, "shared", "data"); isDir(cand) {
				return cand
			}
			parent := filepath.Dir(dir)
			if parent == dir {
				break
			}
			dir = parent
		}
	}
	missing(t, "shared data not found: set TENGEN_SHARED or put shared/data beside the repository")
	return ""
}

func isDir(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}
