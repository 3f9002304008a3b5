package sgf

import (
	"os"
	"path/filepath"
	"testing"
)

// sharedData returns the shared data folder (…/shared/data): $TENGEN_SHARED
// (the shared folder itself) or a sibling "shared/data" of some parent of
// the package directory. It skips the test when the folder is absent,
// except under CI=true, where that is a failure.
func sharedData(t testing.TB) string {
	t.Helper()
	if d := os.Getenv("TENGEN_SHARED"); d != "" {
		if st, err := os.Stat(filepath.Join(d, "data")); err == nil && st.IsDir() {
			return filepath.Join(d, "data")
		}
		if os.Getenv("CI") == "true" {
			t.Fatalf("TENGEN_SHARED=%s has no data folder", d)
		}
		t.Skipf("TENGEN_SHARED=%s has no data folder", d)
	}
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		cand := filepath.Join(dir, "shared", "data")
		if st, err := os.Stat(cand); err == nil && st.IsDir() {
			return cand
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("shared data not found: set TENGEN_SHARED or check out shared/ next to the repository (CI=true: not skipping)")
	}
	t.Skip("shared data not found (set TENGEN_SHARED, or put shared/data beside the repository); skipping")
	return ""
}
