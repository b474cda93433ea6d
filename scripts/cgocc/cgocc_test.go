// Package cgocc tests scripts/cgo-cc, the C compiler wrapper the builds use
// to spare gcc its spelling suggestions in cgo's probe of C names.
package cgocc

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// cgo runs the cgo tool on testdata/kinds with cc as CC and returns the files
// it wrote, with their directory's name taken out.
func cgo(t *testing.T, cc string) map[string][]byte {
	t.Helper()
	objdir := t.TempDir()
	cmd := exec.Command("go", "tool", "cgo", "-objdir", objdir, "kinds.go")
	cmd.Dir = filepath.Join("testdata", "kinds")
	cmd.Env = append(os.Environ(), "CC="+cc)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("CC=%s go tool cgo: %v\n%s", cc, err, out)
	}
	entries, err := os.ReadDir(objdir)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(objdir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		files[e.Name()] = bytes.ReplaceAll(b, []byte(objdir), []byte("$OBJDIR"))
	}
	return files
}

// TestCgoReadsTheSameKindsThroughTheWrapper runs cgo on a package that uses
// a C name of every kind, once with gcc and once through scripts/cgo-cc, and
// wants the same Go and C out of both, byte for byte: the kinds cgo read
// from the probe decide every line of it. A spy compiler behind the wrapper
// shows that the probe it was given carried the wrapper's declaration, so
// the comparison is of the changed probe, not of one the wrapper missed.
func TestCgoReadsTheSameKindsThroughTheWrapper(t *testing.T) {
	wrapper, err := filepath.Abs(filepath.Join("..", "cgo-cc"))
	if err != nil {
		t.Fatal(err)
	}
	spied := filepath.Join(t.TempDir(), "declared")
	spy := filepath.Join(t.TempDir(), "spy-gcc")
	script := "#!/bin/sh\nfor a; do case $a in *.c) grep -qx '#line 1 \"cgo-cc\"' \"$a\" && touch '" + spied + "';; esac; done\nexec gcc \"$@\"\n"
	if err := os.WriteFile(spy, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}

	plain := cgo(t, "gcc")
	wrapped := cgo(t, "'"+wrapper+"' '"+spy+"'")

	if _, err := os.Stat(spied); err != nil {
		t.Fatalf("the compiler never saw the wrapper's declaration: cgo's probe went past it (%v)", err)
	}
	if len(plain) == 0 {
		t.Fatal("cgo wrote nothing")
	}
	for name, want := range plain {
		got, ok := wrapped[name]
		if !ok {
			t.Errorf("%s: written with gcc, missing through the wrapper", name)
			continue
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs through the wrapper:\n--- gcc\n%s\n--- wrapper\n%s", name, want, got)
		}
	}
	for name := range wrapped {
		if _, ok := plain[name]; !ok {
			t.Errorf("%s: written through the wrapper only", name)
		}
	}
}
