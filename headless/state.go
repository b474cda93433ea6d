// state.go: the file that keeps a headless peer's id across restarts.

package headless

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/huecast/huecast/hub/wire"
	"github.com/huecast/huecast/net/peer"
)

// StateFile is the name of the state file under DefaultStateDir.
const StateFile = "headless.json"

// DefaultStatePath returns where a headless peer keeps its state unless told
// otherwise: huecast/headless.json in the user's config directory
// (~/.config on Linux, %AppData% on Windows, ~/Library/Application Support
// on macOS), or "" when there is none.
func DefaultStatePath() string {
	dir, err := os.UserConfigDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "huecast", StateFile)
}

// state is the file's content.
type state struct {
	ID string `json:"id"`
}

// State is a headless peer's kept state, loaded by LoadState.
type State struct {
	ID string // the peer's id: the same every run, so "(you)", election order and reconnects hold
	// Note says, for the log, why the id is not the kept one ("" when it is).
	Note string
	file *os.File // held, and locked where the system allows, until Close
}

// LoadState reads the state file at path, creating it (and its directory)
// with a new id the first time. Another running peer holding the same file
// makes this one take part under a fresh id that is not kept, rather than
// two peers sharing one id and replacing each other in the room. An empty
// path keeps nothing. The caller must call Close when the peer has ended.
func LoadState(path string) (*State, error) {
	if path == "" {
		return &State{ID: peer.NewID(), Note: "no state file: a new id for this run"}, nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("state file %s: %w", path, err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("state file %s: %w", path, err)
	}
	if !lock(f) {
		f.Close()
		return &State{ID: peer.NewID(), Note: "another huecast is using " + path + ": a new id for this run"}, nil
	}
	var st state
	b, err := os.ReadFile(path)
	if err == nil && len(b) > 0 {
		if err := json.Unmarshal(b, &st); err != nil {
			f.Close()
			return nil, fmt.Errorf("state file %s is not huecast's (%v); move it away, or choose another with --state", path, err)
		}
	}
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		f.Close()
		return nil, fmt.Errorf("state file %s: %w", path, err)
	}
	if id := wire.CleanName(st.ID, wire.MaxIDLen); id != "" && id == st.ID {
		return &State{ID: id, file: f}, nil
	}
	st.ID = peer.NewID()
	b, _ = json.MarshalIndent(st, "", "  ")
	if err := f.Truncate(0); err == nil {
		_, err = f.WriteAt(append(b, '\n'), 0)
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("state file %s: %w", path, err)
	}
	return &State{ID: st.ID, file: f}, nil
}

// Close releases the state file for the next run.
func (s *State) Close() error {
	if s.file == nil {
		return nil
	}
	return s.file.Close()
}
