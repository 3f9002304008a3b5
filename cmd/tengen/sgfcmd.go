package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"sort"
	"strconv"

	"github.com/tengen-go/tengen/board"
	"github.com/tengen-go/tengen/sgf"
)

func init() {
	register(command{name: "sgf", summary: "SGF tools: stats", run: runSGF})
}

func runSGF(ctx context.Context, e env) error {
	return dispatch(ctx, "sgf", []command{
		{name: "stats", summary: "count files, games, moves, sizes, results, warnings and errors", run: runSGFStats},
	}, e)
}

// sgfStats is what "tengen sgf stats" reports; its JSON form is stable.
type sgfStats struct {
	Files     int            `json:"files"`   // SGF files read
	Skipped   int            `json:"skipped"` // non-SGF files and members
	Bytes     int64          `json:"bytes"`
	Games     int            `json:"games"`   // games replayed without error
	Moves     int            `json:"moves"`   // main-line moves of those, passes included
	Passes    int            `json:"passes"`  // of which passes
	Sizes     map[string]int `json:"sizes"`   // board size -> games
	Results   map[string]int `json:"results"` // sgf.ResultKind -> games
	Warnings  int            `json:"warnings"`
	Errors    int            `json:"errors"` // files that failed to parse + games that failed to replay
	ErrorList []fileMessage  `json:"error_list"`
	WarnList  []fileMessage  `json:"warning_list"`
}

type fileMessage struct {
	File    string `json:"file"`
	Message string `json:"message"`
}

// maxListed caps the warning list (the counts stay exact).
const maxListed = 1000

func runSGFStats(ctx context.Context, e env) error {
	fs := newFlags("sgf stats", "[--json] [--parallel N] PATH...", e.stdout)
	asJSON := fs.Bool("json", false, "print one JSON object")
	parallel := fs.Int("parallel", runtime.GOMAXPROCS(0), "files parsed at once")
	if done, err := parseFlags(fs, e.args); done || err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return usageError("sgf stats: no PATH given (files, directories, .tar.gz/.tgz/.tar/.zip archives)")
	}
	cfg := sgf.WalkConfig{Parallelism: *parallel, Replay: true}
	if err := cfg.Validate(); err != nil {
		return usageError("%v", err)
	}
	st, err := collectStats(ctx, cfg, fs.Args())
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(st)
	}
	printStats(e.stdout, st)
	return nil
}

func collectStats(ctx context.Context, cfg sgf.WalkConfig, paths []string) (*sgfStats, error) {
	st := &sgfStats{Sizes: map[string]int{}, Results: map[string]int{}, ErrorList: []fileMessage{}, WarnList: []fileMessage{}}
	warn := func(file string, msgs []string) {
		st.Warnings += len(msgs)
		for _, m := range msgs {
			if len(st.WarnList) < maxListed {
				st.WarnList = append(st.WarnList, fileMessage{file, m})
			}
		}
	}
	sum, err := cfg.Walk(ctx, paths, func(rec sgf.Record) error {
		if rec.Err != nil {
			st.Errors++
			st.ErrorList = append(st.ErrorList, fileMessage{rec.Name, rec.Err.Error()})
			return nil
		}
		warn(rec.Name, rec.Collection.Warnings)
		for _, g := range rec.Games {
			warn(rec.Name, g.Warnings)
			if g.Err != nil {
				st.Errors++
				st.ErrorList = append(st.ErrorList, fileMessage{rec.Name, g.Err.Error()})
				continue
			}
			st.Games++
			st.Moves += g.Moves
			for _, m := range g.Board.Moves() {
				if m.Point == board.Pass {
					st.Passes++
				}
			}
			st.Sizes[strconv.Itoa(g.Info.Size)]++
			st.Results[sgf.ResultKind(g.Info.Result)]++
		}
		return nil
	})
	st.Files, st.Skipped, st.Bytes = sum.Files, sum.Skipped, sum.Bytes
	return st, err
}

func printStats(w io.Writer, st *sgfStats) {
	fmt.Fprintf(w, "files     %d (skipped %d non-SGF)\n", st.Files, st.Skipped)
	fmt.Fprintf(w, "bytes     %d\n", st.Bytes)
	fmt.Fprintf(w, "games     %d\n", st.Games)
	fmt.Fprintf(w, "moves     %d (passes %d)\n", st.Moves, st.Passes)
	fmt.Fprintf(w, "sizes     %s\n", histogram(st.Sizes))
	fmt.Fprintf(w, "results   %s\n", histogram(st.Results))
	fmt.Fprintf(w, "warnings  %d\n", st.Warnings)
	fmt.Fprintf(w, "errors    %d\n", st.Errors)
	for _, e := range st.ErrorList {
		fmt.Fprintf(w, "  %s\n", e.Message)
	}
}

// histogram formats counts largest first ("19x19:34502, 9x9:279").
func histogram(h map[string]int) string {
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if h[keys[i]] != h[keys[j]] {
			return h[keys[i]] > h[keys[j]]
		}
		return keys[i] < keys[j]
	})
	s := ""
	for i, k := range keys {
		if i > 0 {
			s += ", "
		}
		s += k + ":" + strconv.Itoa(h[k])
	}
	if s == "" {
		s = "-"
	}
	return s
}
