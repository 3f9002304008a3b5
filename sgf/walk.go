package sgf

import (
	"archive/tar"
	"archive/zip"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
)

// MaxFileSize is the largest SGF file or archive member Walk reads; a
// larger one is reported as an error (the biggest real records are a few
// hundred KB).
const MaxFileSize = 64 << 20

// Record is one SGF file seen by Walk.
type Record struct {
	// Name is the file's path, or for an archive member the archive's
	// path, ':' and the member's path ("set.tar.gz:kgs/2001-01-01-1.sgf").
	Name string
	// Size is the file's length in bytes.
	Size int64
	// Collection is the parsed file; nil when Err is not nil.
	Collection *Collection
	// Games holds one replayed main line per game of Collection when
	// WalkConfig.Replay is set; a game that fails to replay has Err set.
	Games []*Game
	// Err is a read or parse error for the whole file.
	Err error
}

// Summary counts what Walk saw.
type Summary struct {
	Files   int   // SGF files (and members) handed to fn
	Errors  int   // of those, files whose Record.Err is set
	Skipped int   // files and members skipped for their name
	Bytes   int64 // bytes of SGF read
}

// WalkConfig configures Walk.
type WalkConfig struct {
	// Parallelism is the number of goroutines parsing (and replaying)
	// files; reading stays sequential. At least 1.
	Parallelism int
	// Replay replays each game's main line into Record.Games.
	Replay bool
}

// DefaultWalkConfig returns GOMAXPROCS parsers, with replay on.
func DefaultWalkConfig() WalkConfig {
	return WalkConfig{Parallelism: runtime.GOMAXPROCS(0), Replay: true}
}

// Validate reports a configuration Walk cannot use.
func (c WalkConfig) Validate() error {
	if c.Parallelism < 1 {
		return fmt.Errorf("sgf: WalkConfig.Parallelism = %d; want >= 1", c.Parallelism)
	}
	return nil
}

// IsSGFName reports whether a file name counts as SGF: it ends in ".sgf"
// or in ".mgt" (the extension old SmartGo and Many Faces of Go versions
// gave SGF files), in any case.
func IsSGFName(name string) bool {
	ext := strings.ToLower(filepath.Ext(name))
	return ext == ".sgf" || ext == ".mgt"
}

// archiveKind returns "tar", "tgz", "zip" or "" for a file name.
func archiveKind(name string) string {
	n := strings.ToLower(name)
	switch {
	case strings.HasSuffix(n, ".tar.gz"), strings.HasSuffix(n, ".tgz"):
		return "tgz"
	case strings.HasSuffix(n, ".tar"):
		return "tar"
	case strings.HasSuffix(n, ".zip"):
		return "zip"
	}
	return ""
}

// Walk calls fn once for every SGF file under paths, in order, with
// DefaultWalkConfig. See WalkConfig.Walk.
func Walk(ctx context.Context, paths []string, fn func(rec Record) error) (Summary, error) {
	return DefaultWalkConfig().Walk(ctx, paths, fn)
}

// Walk calls fn once for every SGF file under paths, in the order of paths
// and, within a directory, in lexical order; archive members come in
// archive order. A path may be an SGF file (any name), a directory
// (searched recursively), or a .tar, .tar.gz, .tgz or .zip archive (read
// as a stream, member by member; in a directory too). Within directories
// and archives, names that are neither SGF (see IsSGFName) nor, in a
// directory, archives are skipped and counted.
//
// A file that cannot be read or parsed is reported to fn with Record.Err
// set and the walk goes on; so is a path that does not exist, or an
// archive that breaks part-way. Walk stops early only when fn returns an
// error or ctx is done, and returns that error. fn is never called
// concurrently.
func (c WalkConfig) Walk(ctx context.Context, paths []string, fn func(rec Record) error) (Summary, error) {
	var sum Summary
	if err := c.Validate(); err != nil {
		return sum, err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	// The reader sends one future per file, in order; workers fill them.
	type job struct {
		rec  Record
		data []byte
		done chan Record
	}
	jobs := make(chan *job, c.Parallelism)
	order := make(chan *job, 2*c.Parallelism)
	skipped := make(chan int, 1)
	readErr := make(chan error, 1)
	go func() {
		defer close(order)
		defer close(jobs)
		n := 0
		emit := func(rec Record, data []byte) error {
			j := &job{rec: rec, data: data, done: make(chan Record, 1)}
			if rec.Err != nil {
				j.done <- rec
			} else {
				select {
				case jobs <- j:
				case <-ctx.Done():
					return ctx.Err()
				}
			}
			select {
			case order <- j:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		readErr <- readPaths(ctx, paths, emit, &n)
		skipped <- n
	}()
	for range c.Parallelism {
		go func() {
			for j := range jobs {
				j.done <- c.process(j.rec, j.data)
			}
		}()
	}
	var fnErr error
	for j := range order {
		rec := <-j.done
		if fnErr != nil {
			continue // drain so the goroutines finish
		}
		sum.Files++
		sum.Bytes += rec.Size
		if rec.Err != nil {
			sum.Errors++
		}
		if err := fn(rec); err != nil {
			fnErr = err
			cancel()
		}
	}
	err := <-readErr
	sum.Skipped = <-skipped
	if fnErr != nil {
		return sum, fnErr
	}
	return sum, err
}

// process parses (and replays) one file.
func (c WalkConfig) process(rec Record, data []byte) Record {
	col, err := Parse(data)
	if err != nil {
		rec.Err = fmt.Errorf("sgf: %s: %w", rec.Name, err)
		return rec
	}
	rec.Collection = col
	if c.Replay {
		rec.Games = col.Replay()
		for _, g := range rec.Games {
			if g.Err != nil {
				g.Err = fmt.Errorf("sgf: %s: %w", rec.Name, g.Err)
			}
		}
	}
	return rec
}

// readPaths reads every path and emits its SGF files. Only ctx errors
// (from emit) stop it; everything else becomes a Record with Err.
func readPaths(ctx context.Context, paths []string, emit func(Record, []byte) error, skipped *int) error {
	for _, p := range paths {
		if err := ctx.Err(); err != nil {
			return err
		}
		info, err := os.Stat(p)
		if err != nil {
			if err := emit(Record{Name: p, Err: fmt.Errorf("sgf: %w", err)}, nil); err != nil {
				return err
			}
			continue
		}
		if info.IsDir() {
			err = readDir(ctx, p, emit, skipped)
		} else if archiveKind(p) != "" {
			err = readArchive(ctx, p, emit, skipped)
		} else {
			err = readFile(p, emit)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func readDir(ctx context.Context, dir string, emit func(Record, []byte) error, skipped *int) error {
	var files []string
	walkErr := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			files = append(files, path) // reported when read
			if d != nil && d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return nil
		}
		if IsSGFName(path) || archiveKind(path) != "" {
			files = append(files, path)
		} else {
			*skipped++
		}
		return nil
	})
	if walkErr != nil {
		return walkErr
	}
	sort.Strings(files) // WalkDir is lexical already; keep it explicit
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			return err
		}
		var err error
		if archiveKind(f) != "" {
			err = readArchive(ctx, f, emit, skipped)
		} else {
			err = readFile(f, emit)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func readFile(path string, emit func(Record, []byte) error) error {
	f, err := os.Open(path)
	if err != nil {
		return emit(Record{Name: path, Err: fmt.Errorf("sgf: %w", err)}, nil)
	}
	defer f.Close()
	data, err := readLimited(f)
	rec := Record{Name: path, Size: int64(len(data))}
	if err != nil {
		rec.Err = fmt.Errorf("sgf: %s: %w", path, err)
		data = nil
	}
	return emit(rec, data)
}

var errTooBig = fmt.Errorf("file larger than %d bytes", MaxFileSize)

func readLimited(r io.Reader) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxFileSize {
		return nil, errTooBig
	}
	return data, nil
}

// readArchive streams the SGF members of a tar, tar.gz or zip archive.
// A broken archive is reported once, as a Record for the archive itself,
// after the members read before the damage.
func readArchive(ctx context.Context, path string, emit func(Record, []byte) error, skipped *int) error {
	fail := func(err error) error {
		return emit(Record{Name: path, Err: fmt.Errorf("sgf: %s: %w", path, err)}, nil)
	}
	f, err := os.Open(path)
	if err != nil {
		return fail(err)
	}
	defer f.Close()
	if archiveKind(path) == "zip" {
		info, err := f.Stat()
		if err != nil {
			return fail(err)
		}
		zr, err := zip.NewReader(f, info.Size())
		if err != nil {
			return fail(err)
		}
		for _, m := range zr.File {
			if err := ctx.Err(); err != nil {
				return err
			}
			if m.FileInfo().IsDir() {
				continue
			}
			if !IsSGFName(m.Name) {
				*skipped++
				continue
			}
			rec := Record{Name: path + ":" + m.Name}
			data, err := readZipMember(m)
			rec.Size = int64(len(data))
			if err != nil {
				rec.Err = fmt.Errorf("sgf: %s: %w", rec.Name, err)
				data = nil
			}
			if err := emit(rec, data); err != nil {
				return err
			}
		}
		return nil
	}
	var r io.Reader = f
	if archiveKind(path) == "tgz" {
		zr, err := gzip.NewReader(f)
		if err != nil {
			return fail(err)
		}
		defer zr.Close()
		r = zr
	}
	tr := tar.NewReader(r)
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fail(err)
		}
		if !h.FileInfo().Mode().IsRegular() {
			continue
		}
		if !IsSGFName(h.Name) {
			*skipped++
			continue
		}
		rec := Record{Name: path + ":" + h.Name}
		data, err := readLimited(tr)
		rec.Size = int64(len(data))
		if err != nil {
			rec.Err = fmt.Errorf("sgf: %s: %w", rec.Name, err)
			if err := emit(rec, nil); err != nil {
				return err
			}
			if !errors.Is(err, errTooBig) {
				return nil // the stream is broken: stop this archive
			}
			continue
		}
		if err := emit(rec, data); err != nil {
			return err
		}
	}
}

func readZipMember(m *zip.File) ([]byte, error) {
	rc, err := m.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return readLimited(rc)
}
