package selfplay

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestNamerUnique(t *testing.T) {
	a, b := NewNamer(), NewNamer()
	seen := map[string]bool{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, n := range []*Namer{a, b, a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 500 {
				name := n.Next()
				mu.Lock()
				if seen[name] {
					t.Errorf("name %s twice", name)
				}
				seen[name] = true
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	name := a.Next()
	if strings.ContainsAny(name, "/\\ ") || isTemp(name) || len(strings.Split(name, "-")) != 5 {
		t.Errorf("name %q: want time-host-pid-token-counter without separators", name)
	}
	if a.token == b.token {
		t.Errorf("two namers drew the same token %s", a.token)
	}
}

func TestNetworkName(t *testing.T) {
	for _, g := range []int{0, 7, 123456} {
		if got, ok := ParseNetworkName(NetworkName(g)); !ok || got != g {
			t.Errorf("ParseNetworkName(%q) = %d, %v", NetworkName(g), got, ok)
		}
	}
	for _, s := range []string{"gen-1", "gen-00001x", "net-000001", "gen-0000001"} {
		if _, ok := ParseNetworkName(s); ok {
			t.Errorf("ParseNetworkName(%q) accepted", s)
		}
	}
}

// TestInitExclusive: workers initialising one directory at once agree on
// one best network, created exactly once.
func TestInitExclusive(t *testing.T) {
	src := tinyWeights(t, t.TempDir(), 7, 1)
	d := Dir(t.TempDir())
	if _, err := d.ReadBest(); !errors.Is(err, ErrNoBest) {
		t.Fatalf("ReadBest of an empty dir: %v; want ErrNoBest", err)
	}
	const n = 8
	var bests [n]Best
	var created [n]bool
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var err error
			if bests[i], created[i], err = d.Init(src); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	count := 0
	for i := range n {
		if created[i] {
			count++
		}
		if bests[i] != bests[0] {
			t.Errorf("worker %d: best %+v; worker 0: %+v", i, bests[i], bests[0])
		}
	}
	if count != 1 {
		t.Errorf("%d workers created the best network; want 1", count)
	}
	b, err := d.ReadBest()
	if err != nil || b != bests[0] || b.Name != "gen-000000" || b.Generation != 0 {
		t.Fatalf("ReadBest = %+v, %v", b, err)
	}
	if id, _ := WeightsID(d.BestWeights(b)); id != b.ID || len(id) != 12 {
		t.Errorf("best id %q, file's %q", b.ID, id)
	}
	if leftovers, _ := filepath.Glob(filepath.Join(d.Networks(), ".*")); len(leftovers) > 0 {
		t.Errorf("temporary files left: %v", leftovers)
	}
}

func TestListGamesNewestFirst(t *testing.T) {
	d := Dir(t.TempDir())
	write := func(net, name string) {
		dir := d.GameDir(net)
		os.MkdirAll(dir, 0o755)
		if err := os.WriteFile(filepath.Join(dir, name), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("gen-000000", "20250101T000000.000Z-a-1-t-000001.json.gz")
	write("gen-000000", "20250101T000001.000Z-a-1-t-000002.json.gz")
	write("gen-000002", "20250101T000000.500Z-b-2-t-000001.json.gz")
	write("gen-000002", ".20250101T000009.000Z-b-2-t-000002.json.gz.123.tmp") // in flight
	write("gen-000002", "notes.txt")
	write("gen-000010", "20240101T000000.000Z-c-3-t-000001.json.gz")
	got, err := d.ListGames()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range got {
		names = append(names, f.String())
	}
	want := []string{
		"gen-000010/20240101T000000.000Z-c-3-t-000001",
		"gen-000002/20250101T000000.500Z-b-2-t-000001",
		"gen-000000/20250101T000001.000Z-a-1-t-000002",
		"gen-000000/20250101T000000.000Z-a-1-t-000001",
	}
	if strings.Join(names, " ") != strings.Join(want, " ") {
		t.Errorf("ListGames = %v\nwant %v", names, want)
	}
	if n, _ := d.CountGames(); n != 4 {
		t.Errorf("CountGames = %d; want 4", n)
	}
	// Stale temporary files go; fresh ones stay.
	old := filepath.Join(d.GameDir("gen-000002"), ".x.json.gz.1.tmp")
	os.WriteFile(old, nil, 0o644)
	os.Chtimes(old, time.Now().Add(-2*time.Hour), time.Now().Add(-2*time.Hour))
	if n := d.RemoveStaleTemps(time.Hour); n != 1 {
		t.Errorf("RemoveStaleTemps removed %d; want 1", n)
	}
	if _, err := os.Stat(filepath.Join(d.GameDir("gen-000002"), ".20250101T000009.000Z-b-2-t-000002.json.gz.123.tmp")); err != nil {
		t.Errorf("a fresh temporary file was removed: %v", err)
	}
}
