package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// deployDir holds the Containerfile and the Kubernetes manifests.
const deployDir = "../../deploy"

// commandLine is one tengen invocation found in a deploy file.
type commandLine struct {
	where string
	args  []string // after the program name
}

// checkCommandLine asks the real command table and flag sets whether a
// command line is valid, without running it: the command is run with
// --help appended, which every command's flag set (newFlags/parseFlags)
// answers with its usage once every earlier flag parsed, and with a usage
// error at an unknown command, subcommand or flag or a bad value.
func checkCommandLine(args []string) error {
	if len(args) == 0 {
		return errors.New("no command")
	}
	if _, ok := commands[args[0]]; !ok {
		return fmt.Errorf("unknown command %q", args[0])
	}
	switch args[0] {
	case "help": // takes command names
		for _, a := range args[1:] {
			if _, ok := commands[a]; !ok {
				return fmt.Errorf("help: unknown command %q", a)
			}
		}
		return nil
	case "version": // takes nothing
		if len(args) > 1 {
			return fmt.Errorf("version takes no arguments, have %q", args[1:])
		}
		return nil
	}
	var out bytes.Buffer
	err := run(context.Background(), append(append([]string(nil), args...), "--help"), strings.NewReader(""), &out, &out)
	if err != nil {
		return err
	}
	if !strings.Contains(out.String(), "usage: tengen ") || !strings.Contains(out.String(), "flags:") {
		return fmt.Errorf("no flag list from %q (did it run?):\n%s", args, out.String())
	}
	return nil
}

// manifestCommands returns the tengen command lines of every container and
// init container in the YAML documents of path.
func manifestCommands(t *testing.T, file string) []commandLine {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	dec := yaml.NewDecoder(f)
	var out []commandLine
	for doc := 0; ; doc++ {
		var m map[string]any
		if err := dec.Decode(&m); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("%s: document %d: %v", file, doc+1, err)
		}
		if m == nil {
			continue
		}
		if m["apiVersion"] == nil || m["kind"] == nil {
			t.Errorf("%s: document %d has no apiVersion or kind", file, doc+1)
		}
		walkContainers(m, func(c map[string]any) {
			name, _ := c["name"].(string)
			image, _ := c["image"].(string)
			cmd, args := strings_(t, c["command"]), strings_(t, c["args"])
			where := fmt.Sprintf("%s: %s container %q", filepath.Base(file), m["kind"], name)
			switch {
			case len(cmd) > 0 && path.Base(cmd[0]) == "tengen":
				out = append(out, commandLine{where, append(cmd[1:], args...)})
			case len(cmd) == 0 && strings.Contains(image, "tengen"):
				// The image's entrypoint is tengen.
				out = append(out, commandLine{where, args})
			default:
				t.Errorf("%s: image %q runs %q, not tengen", where, image, cmd)
			}
		})
	}
	return out
}

// walkContainers calls fn for every map in the lists "containers" and
// "initContainers" anywhere under v.
func walkContainers(v any, fn func(map[string]any)) {
	switch x := v.(type) {
	case map[string]any:
		for k, sub := range x {
			if list, ok := sub.([]any); ok && (k == "containers" || k == "initContainers") {
				for _, c := range list {
					if cm, ok := c.(map[string]any); ok {
						fn(cm)
					}
				}
				continue
			}
			walkContainers(sub, fn)
		}
	case []any:
		for _, sub := range x {
			walkContainers(sub, fn)
		}
	}
}

// strings_ converts a YAML list of scalars to strings.
func strings_(t *testing.T, v any) []string {
	if v == nil {
		return nil
	}
	list, ok := v.([]any)
	if !ok {
		t.Errorf("want a list, have %T %v", v, v)
		return nil
	}
	var out []string
	for _, x := range list {
		out = append(out, fmt.Sprint(x))
	}
	return out
}

// containerfileCommands returns the tengen command lines of a
// Containerfile: RUN commands (shell form: every simple command whose
// program is a tengen binary) and the ENTRYPOINT + CMD pair (exec form).
func containerfileCommands(t *testing.T, file string) []commandLine {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	text := strings.ReplaceAll(string(data), "\\\n", " ")
	var entry, cmd []string
	entryLine, cmdLine := 0, 0
	var out []commandLine
	sep := regexp.MustCompile(`&&|\|\||;|\|`)
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		inst, rest, _ := strings.Cut(line, " ")
		rest = strings.TrimSpace(rest)
		switch strings.ToUpper(inst) {
		case "RUN":
			for _, simple := range sep.Split(rest, -1) {
				words := strings.Fields(simple)
				for len(words) > 0 && strings.Contains(words[0], "=") && !strings.HasPrefix(words[0], "-") {
					words = words[1:] // VAR=value prefixes
				}
				if len(words) > 0 && path.Base(words[0]) == "tengen" {
					out = append(out, commandLine{fmt.Sprintf("Containerfile:%d RUN", i+1), words[1:]})
				}
			}
		case "ENTRYPOINT", "CMD":
			var form []string
			if err := json.Unmarshal([]byte(rest), &form); err != nil {
				t.Errorf("Containerfile:%d: %s not in exec form (a JSON list): %v", i+1, inst, err)
				continue
			}
			if strings.ToUpper(inst) == "ENTRYPOINT" {
				entry, entryLine = form, i+1
			} else {
				cmd, cmdLine = form, i+1
			}
		}
	}
	if len(entry) == 0 || path.Base(entry[0]) != "tengen" {
		t.Errorf("Containerfile: ENTRYPOINT %q (line %d) is not the tengen binary", entry, entryLine)
	} else {
		out = append(out, commandLine{fmt.Sprintf("Containerfile:%d ENTRYPOINT + CMD", cmdLine), append(entry[1:], cmd...)})
	}
	return out
}

// TestDeployCommandLines checks every tengen command line of deploy/: the
// Containerfile's and the Kubernetes manifests'.
func TestDeployCommandLines(t *testing.T) {
	var lines []commandLine
	lines = append(lines, containerfileCommands(t, filepath.Join(deployDir, "Containerfile"))...)
	manifests, _ := filepath.Glob(filepath.Join(deployDir, "k8s", "*.yaml"))
	if len(manifests) < 3 {
		t.Fatalf("manifests %v; want the PVC, the self-play Job and the trainer", manifests)
	}
	kinds := map[string]bool{}
	for _, m := range manifests {
		lines = append(lines, manifestCommands(t, m)...)
		data, _ := os.ReadFile(m)
		for _, k := range []string{"PersistentVolumeClaim", "Job", "Deployment"} {
			if bytes.Contains(data, []byte("kind: "+k+"\n")) {
				kinds[k] = true
			}
		}
		if bytes.Contains(data, []byte("kind: PersistentVolumeClaim")) && !bytes.Contains(data, []byte("ReadWriteMany")) {
			t.Errorf("%s: the shared volume is not ReadWriteMany", m)
		}
	}
	if !kinds["PersistentVolumeClaim"] || !kinds["Job"] {
		t.Errorf("manifest kinds %v; want a PersistentVolumeClaim and Jobs", kinds)
	}
	used := map[string]bool{}
	for _, l := range lines {
		if err := checkCommandLine(l.args); err != nil {
			t.Errorf("%s: tengen %s: %v", l.where, strings.Join(l.args, " "), err)
		}
		if len(l.args) > 0 {
			used[l.args[0]] = true
		}
	}
	for _, c := range []string{"selfplay", "loop", "net", "version", "help"} {
		if !used[c] {
			t.Errorf("no deploy file runs tengen %s; command lines: %v", c, lines)
		}
	}
}

// TestCheckCommandLine: the checker rejects what the binary would.
func TestCheckCommandLine(t *testing.T) {
	for _, ok := range [][]string{
		{"selfplay", "--out=/d", "--games", "3", "--quiet"},
		{"loop", "--dir", "/d", "--local=false", "--gate-games=10"},
		{"net", "new", "--size", "9", "--out", "x"},
		{"train", "--selfplay", "/d", "--window", "5"},
		{"gate", "--dir", "/d", "--sprt=false"},
		{"help", "loop"},
		{"version"},
	} {
		if err := checkCommandLine(ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for _, bad := range [][]string{
		{},
		{"frobnicate"},
		{"selfplay", "--bogus"},
		{"selfplay", "--games", "many"},
		{"loop", "--gate-window=3"},
		{"net", "old"},
		{"net", "new", "--sizes", "9"},
		{"help", "frobnicate"},
		{"version", "--x"},
	} {
		if err := checkCommandLine(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
