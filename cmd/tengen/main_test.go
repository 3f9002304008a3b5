package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestVersion(t *testing.T) {
	var out, errb bytes.Buffer
	if err := run(context.Background(), []string{"version"}, nil, &out, &errb); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.String(), "tengen ") {
		t.Errorf("version output %q", out.String())
	}
}

func TestHelpListsCommands(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), []string{"help"}, nil, &out, &out); err != nil {
		t.Fatal(err)
	}
	for name := range commands {
		if !strings.Contains(out.String(), "  "+name+" ") {
			t.Errorf("help does not list %q:\n%s", name, out.String())
		}
	}
}

func TestUnknownCommandIsUsageError(t *testing.T) {
	var out bytes.Buffer
	err := run(context.Background(), []string{"frobnicate"}, nil, &out, &out)
	if err == nil || exitCode(err) != 2 {
		t.Fatalf("err = %v (exit %d); want usage error", err, exitCode(err))
	}
}

// Command groups (net, sgf, viz) list their subcommands on --help and
// give usage errors for none or an unknown one.
func TestSubcommandGroups(t *testing.T) {
	for _, tc := range []struct {
		group string
		subs  []string
	}{{"net", []string{"new", "info", "average"}}, {"sgf", []string{"stats"}}, {"viz", []string{"filters", "policy"}}} {
		var out bytes.Buffer
		if err := run(context.Background(), []string{tc.group, "--help"}, nil, &out, &out); err != nil {
			t.Errorf("%s --help: %v", tc.group, err)
		}
		for _, s := range tc.subs {
			if !strings.Contains(out.String(), "  "+s+" ") {
				t.Errorf("%s --help does not list %q:\n%s", tc.group, s, out.String())
			}
		}
		for _, args := range [][]string{{tc.group}, {tc.group, "frobnicate"}} {
			if err := run(context.Background(), args, nil, &out, &out); err == nil || exitCode(err) != 2 {
				t.Errorf("%q: err = %v (exit %d); want a usage error", args, err, exitCode(err))
			}
		}
	}
}
