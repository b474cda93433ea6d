package headless

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestStateKeepsTheIDAcrossRuns(t *testing.T) {
	path := filepath.Join(t.TempDir(), "deep", "huecast", StateFile)
	first, err := LoadState(path)
	if err != nil || first.ID == "" || first.Note != "" {
		t.Fatalf("first run: %+v, %v", first, err)
	}
	if runtime.GOOS != "windows" {
		// While the first peer runs, a second one on the same file must
		// not share its id.
		second, err := LoadState(path)
		if err != nil || second.ID == first.ID || !strings.Contains(second.Note, "another huecast") {
			t.Fatalf("second peer at once: %+v, %v; want a fresh id and a note", second, err)
		}
		second.Close()
	}
	first.Close()
	again, err := LoadState(path)
	if err != nil || again.ID != first.ID {
		t.Fatalf("after a restart: %+v, %v; want id %s", again, err, first.ID)
	}
	again.Close()
}

func TestStateRefusesAFileThatIsNotOurs(t *testing.T) {
	path := filepath.Join(t.TempDir(), "notes.txt")
	if err := os.WriteFile(path, []byte("shopping list\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if st, err := LoadState(path); err == nil || !strings.Contains(err.Error(), "--state") {
		t.Fatalf("LoadState = %+v, %v; want an error naming --state", st, err)
	}
	if b, _ := os.ReadFile(path); string(b) != "shopping list\n" {
		t.Fatalf("the file was changed to %q", b)
	}
}

func TestNoStateFileGivesANewIDEachRun(t *testing.T) {
	a, _ := LoadState("")
	b, _ := LoadState("")
	if a.ID == "" || a.ID == b.ID {
		t.Fatalf("ids %q and %q", a.ID, b.ID)
	}
}
