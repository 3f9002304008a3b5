package testenv

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// ArchiveGame copies into dir the first .sgf member of a .tar.gz archive
// (a shared one, say) with at least minMoves moves and returns its path,
// named as in the archive. It fails t when there is none.
func ArchiveGame(t testing.TB, archive, dir string, minMoves int) string {
	t.Helper()
	f, err := os.Open(archive)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			t.Fatalf("%s: no game of %d moves", archive, minMoves)
		}
		if err != nil {
			t.Fatal(err)
		}
		if h.Typeflag != tar.TypeReg || !strings.HasSuffix(h.Name, ".sgf") {
			continue
		}
		data, err := io.ReadAll(io.LimitReader(tr, 1<<22))
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Count(data, []byte(";B["))+bytes.Count(data, []byte(";W[")) < minMoves {
			continue
		}
		p := filepath.Join(dir, filepath.Base(h.Name))
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
}
