package sgf

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

type member struct{ name, body string }

var members = []member{
	{"a/one.sgf", "(;SZ[9];B[ee];W[cc])"},
	{"a/readme.txt", "not SGF"},
	{"a/TWO.SGF", "(;SZ[13];B[gg])(;SZ[9])"},
	{"b/bad.sgf", "(;SZ[9];B[ee]"},
	{"b/old.mgt", "(;SZ[19];B[pd];W[ee];B[ee])"},
}

func writeTar(t *testing.T, path string, gz bool) {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, m := range members {
		if err := tw.WriteHeader(&tar.Header{Name: m.name, Mode: 0o644, Size: int64(len(m.body)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		tw.Write([]byte(m.body))
	}
	tw.Close()
	data := buf.Bytes()
	if gz {
		var z bytes.Buffer
		zw := gzip.NewWriter(&z)
		zw.Write(data)
		zw.Close()
		data = z.Bytes()
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func writeZip(t *testing.T, path string) {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, m := range members {
		w, err := zw.Create(m.name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(m.body))
	}
	zw.Close()
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// walkAll runs Walk and returns one line per record:
// "name games=moves,moves" or "name ERR message".
func walkAll(t *testing.T, cfg WalkConfig, paths ...string) ([]string, Summary) {
	t.Helper()
	var got []string
	sum, err := cfg.Walk(context.Background(), paths, func(r Record) error {
		line := filepath.Base(r.Name)
		if i := strings.LastIndex(r.Name, ":"); i >= 0 {
			line = filepath.Base(r.Name[:i]) + ":" + r.Name[i+1:]
		}
		switch {
		case r.Err != nil:
			line += " ERR"
		default:
			for i, g := range r.Games {
				sep := ","
				if i == 0 {
					sep = " "
				}
				if g.Err != nil {
					line += sep + "err"
				} else {
					line += sep + strings.Repeat("m", g.Moves)
				}
			}
		}
		got = append(got, line)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return got, sum
}

func TestWalkArchives(t *testing.T) {
	dir := t.TempDir()
	writeTar(t, filepath.Join(dir, "set.tar.gz"), true)
	writeTar(t, filepath.Join(dir, "set.tgz"), true)
	writeTar(t, filepath.Join(dir, "set.tar"), false)
	writeZip(t, filepath.Join(dir, "set.zip"))
	for _, name := range []string{"set.tar.gz", "set.tgz", "set.tar", "set.zip"} {
		t.Run(name, func(t *testing.T) {
			for _, par := range []int{1, 3} {
				got, sum := walkAll(t, WalkConfig{Parallelism: par, Replay: true}, filepath.Join(dir, name))
				want := []string{
					name + ":a/one.sgf mm",
					name + ":a/TWO.SGF m,",
					name + ":b/bad.sgf ERR",
					name + ":b/old.mgt err", // B[ee] onto White's stone
				}
				if strings.Join(got, "\n") != strings.Join(want, "\n") {
					t.Errorf("parallelism %d:\n%s\nwant:\n%s", par, strings.Join(got, "\n"), strings.Join(want, "\n"))
				}
				if sum != (Summary{Files: 4, Errors: 1, Skipped: 1, Bytes: sum.Bytes}) || sum.Bytes == 0 {
					t.Errorf("Summary = %+v", sum)
				}
			}
		})
	}
}

func TestWalkDirAndErrors(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "sub"), 0o755)
	os.WriteFile(filepath.Join(dir, "sub", "x.sgf"), []byte("(;SZ[9];B[aa])"), 0o644)
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("hi"), 0o644)
	writeZip(t, filepath.Join(dir, "sub", "in.zip"))
	os.WriteFile(filepath.Join(dir, "broken.tar.gz"), []byte("\x1f\x8bnot really gzip"), 0o644)
	got, sum := walkAll(t, WalkConfig{Parallelism: 2, Replay: true},
		dir, filepath.Join(dir, "missing.sgf"), filepath.Join("testdata", "two_games.sgf"))
	want := []string{
		"broken.tar.gz ERR",
		"in.zip:a/one.sgf mm",
		"in.zip:a/TWO.SGF m,",
		"in.zip:b/bad.sgf ERR",
		"in.zip:b/old.mgt err",
		"x.sgf m",
		"missing.sgf ERR",
		"two_games.sgf mm,m",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if sum.Files != 8 || sum.Errors != 3 || sum.Skipped != 2 {
		t.Errorf("Summary = %+v; want 8 files, 3 errors, 2 skipped", sum)
	}
}

func TestWalkStops(t *testing.T) {
	stop := errors.New("stop")
	n := 0
	_, err := WalkConfig{Parallelism: 2}.Walk(context.Background(), []string{"testdata", "testdata"}, func(r Record) error {
		n++
		return stop
	})
	if !errors.Is(err, stop) || n != 1 {
		t.Errorf("Walk = %v after %d calls; want stop after 1", err, n)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Walk(ctx, []string{"testdata"}, func(Record) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("Walk with cancelled ctx = %v", err)
	}
	if _, err := (WalkConfig{}).Walk(context.Background(), nil, nil); err == nil {
		t.Error("Walk with Parallelism 0 succeeded")
	}
}

func TestIsSGFName(t *testing.T) {
	for name, want := range map[string]bool{"a.sgf": true, "A.SGF": true, "x.Mgt": true, "x.sgf.txt": false, "sgf": false, "dir/x.sgf": true} {
		if IsSGFName(name) != want {
			t.Errorf("IsSGFName(%q) = %v", name, !want)
		}
	}
}
