package gtp_test

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tengen-go/tengen/gtp"
	"github.com/tengen-go/tengen/gtp/gtptest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// testConfig is the server configuration of the tests: deterministic
// (seeded ownership), files only from testdata.
func testConfig() gtp.ServerConfig {
	return gtp.ServerConfig{
		Name:              "tengen",
		Version:           "test",
		OwnershipPlayouts: 300,
		Seed:              1,
		ReadFile: func(name string) ([]byte, error) {
			if !strings.HasPrefix(name, "testdata/") || strings.Contains(name, "..") {
				return nil, os.ErrPermission
			}
			return os.ReadFile(name)
		},
		WriteFile: func(string, []byte) error { return os.ErrPermission },
	}
}

// serve runs a server for p on input and returns its output.
func serve(t testing.TB, p gtp.Player, cfg gtp.ServerConfig, input string) string {
	t.Helper()
	s, err := gtp.NewServer(p, cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var out bytes.Buffer
	if err := s.Serve(ctx, strings.NewReader(input), &out); err != nil {
		t.Fatalf("Serve: %v", err)
	}
	return out.String()
}

// replies splits output into replies (each without its final blank line).
func replies(out string) []string {
	out = strings.TrimSuffix(out, "\n\n")
	if out == "" {
		return nil
	}
	return strings.Split(out, "\n\n")
}

// TestGolden replays every testdata/*.gtp transcript against the fake
// player and compares the output with the .golden file (-update rewrites).
func TestGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/*.gtp")
	if err != nil || len(files) == 0 {
		t.Fatalf("no transcripts: %v", err)
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".gtp")
		t.Run(name, func(t *testing.T) {
			in, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			got := serve(t, &gtptest.Player{Reports: 2}, testConfig(), string(in))
			golden := strings.TrimSuffix(f, ".gtp") + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("output differs from %s (run with -update to accept):\n%s", golden, diff(string(want), got))
			}
		})
	}
}

// diff shows the first differing line of two texts.
func diff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < max(len(w), len(g)); i++ {
		var a, b string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			b = g[i]
		}
		if a != b {
			return fmt.Sprintf("line %d:\nwant: %s\ngot:  %s", i+1, a, b)
		}
	}
	return "(same lines)"
}
