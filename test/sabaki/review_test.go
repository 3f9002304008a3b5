package sabaki

import (
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tengen-go/tengen/internal/testenv"
)

// TestReviewWithSabakiSGF runs "tengen review" on a shared 9x9 game and
// the first moves of a shared 19x19 game and parses the reviewed SGFs
// with @sabaki/sgf (the parser Sabaki uses) in review_sgf_test.js: one
// comment per move of the main line, SBKV winrates, the best lines as
// variations.
func TestReviewWithSabakiSGF(t *testing.T) {
	if testing.Short() {
		t.Skip("builds tengen and searches every position")
	}
	node, build := setup(t)
	data := filepath.Join(testenv.SharedData(t), "sgf")
	tengen := build("tengen", "../../cmd/tengen")
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	var reviewed []string
	for _, tc := range []struct {
		archive string
		args    []string
		limit   string // the moves reviewed, for review_sgf_test.js
	}{
		{"9x9.tar.gz", []string{"--visits", "40"}, ""},
		{"kgs-strong-19x19.tar.gz", []string{"--visits", "20", "--moves", "40"}, ":40"},
	} {
		game := testenv.ArchiveGame(t, filepath.Join(data, tc.archive), dir, 30)
		args := append([]string{"review", game, "--out", out, "--evaluator", "playouts", "--threads", "2", "--seed", "1", "--quiet"}, tc.args...)
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		b, err := exec.CommandContext(ctx, tengen, args...).CombinedOutput()
		cancel()
		if err != nil {
			t.Fatalf("tengen %s: %v\n%s", strings.Join(args, " "), err, b)
		}
		name := strings.TrimSuffix(filepath.Base(game), ".sgf")
		reviewed = append(reviewed, filepath.Join(out, name+"-review.sgf")+tc.limit)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	b, err := exec.CommandContext(ctx, node, append([]string{"review_sgf_test.js"}, reviewed...)...).CombinedOutput()
	if err != nil || !strings.Contains(string(b), "ok: reviewed SGFs parsed") {
		t.Fatalf("node review_sgf_test.js: %v\n%s", err, b)
	}
	t.Logf("%s", b)
}
