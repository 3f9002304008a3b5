package atomicfile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
)

func TestWriteBytesReplaces(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f.json")
	for _, s := range []string{"one", "two"} {
		if err := WriteBytes(p, []byte(s)); err != nil {
			t.Fatal(err)
		}
		if got, _ := os.ReadFile(p); string(got) != s {
			t.Errorf("read %q; want %q", got, s)
		}
	}
	info, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o644 {
		t.Errorf("mode %v; want 0644", info.Mode().Perm())
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("%d files in the folder; want 1 (no temporary left)", len(entries))
	}
	if err := WriteBytes(filepath.Join(dir, "missing", "f"), nil); err == nil {
		t.Error("WriteBytes into a missing folder succeeded")
	}
}

// A failed write keeps the old file and leaves no temporary file.
func TestWriteErrorKeepsOldFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "ckpt")
	if err := WriteBytes(p, []byte("old")); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	err := Write(p, func(w io.Writer) error {
		w.Write(make([]byte, 1<<17)) // past the buffer: reaches the file
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Write = %v; want %v", err, boom)
	}
	if got, _ := os.ReadFile(p); string(got) != "old" {
		t.Errorf("after a failed write the file holds %d bytes; want the old 3", len(got))
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("%d files in the folder; want 1 (no temporary left)", len(entries))
	}
}

func TestTempNames(t *testing.T) {
	dir := t.TempDir()
	tmp, err := Temp(dir, "best.json", func(w io.Writer) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	if !IsTemp(filepath.Base(tmp)) || filepath.Dir(tmp) != dir {
		t.Errorf("Temp made %s; want a temporary name in %s", tmp, dir)
	}
	for name, want := range map[string]bool{
		".best.json.123.tmp": true, "best.json": false, ".hidden": false, "x.tmp": false,
	} {
		if IsTemp(name) != want {
			t.Errorf("IsTemp(%q) = %v; want %v", name, !want, want)
		}
	}
}
