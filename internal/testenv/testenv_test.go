package testenv

import (
	"os"
	"path/filepath"
	"testing"
)

func TestSharedDataFromEnv(t *testing.T) {
	d := t.TempDir()
	if err := os.Mkdir(filepath.Join(d, "data"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("TENGEN_SHARED", d)
	if got := SharedData(t); got != filepath.Join(d, "data") {
		t.Errorf("SharedData = %s; want %s/data", got, d)
	}
}

func TestSharedDataBesideParent(t *testing.T) {
	root := t.TempDir()
	data := filepath.Join(root, "shared", "data")
	deep := filepath.Join(root, "repo", "pkg")
	for _, p := range []string{data, deep} {
		if err := os.MkdirAll(p, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("TENGEN_SHARED", "")
	t.Chdir(deep)
	if got := SharedData(t); got != data {
		t.Errorf("SharedData = %s; want %s", got, data)
	}
}
