package headless

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// maxHubs is how many hubs joined before a headless peer keeps, as the
// window does.
const maxHubs = 5

// EnvState names the state file instead of the default.
const EnvState = "HUECAST_STATE"

// State is what a headless peer keeps between runs, as JSON in one file.
type State struct {
	// Hubs are the hubs this peer joined, host:port, newest first: asked
	// first at the next start, so a room reforms where neither mDNS nor the
	// subnet search gets through.
	Hubs []string `json:"hubs,omitempty"`
}

// StatePath is where the state lives: $HUECAST_STATE, else huecast/headless.json
// in the user's configuration folder; "" when there is none.
func StatePath() string {
	if p := os.Getenv(EnvState); p != "" {
		return p
	}
	dir, err := os.UserConfigDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "huecast", "headless.json")
}

// LoadState reads the state at path; a missing file is an empty state.
func LoadState(path string) (State, error) {
	var st State
	if path == "" {
		return st, nil
	}
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return st, nil
	}
	if err != nil {
		return st, fmt.Errorf("headless: read state: %w", err)
	}
	if err := json.Unmarshal(b, &st); err != nil {
		return State{}, fmt.Errorf("headless: state %s is not valid JSON: %w", path, err)
	}
	st.Hubs = slices.DeleteFunc(st.Hubs, func(s string) bool { return strings.TrimSpace(s) == "" })
	if len(st.Hubs) > maxHubs {
		st.Hubs = st.Hubs[:maxHubs]
	}
	return st, nil
}

// Remember puts addr first among the hubs; false when it already was.
func (st *State) Remember(addr string) bool {
	if len(st.Hubs) > 0 && st.Hubs[0] == addr {
		return false
	}
	st.Hubs = slices.DeleteFunc(st.Hubs, func(s string) bool { return s == addr })
	st.Hubs = append([]string{addr}, st.Hubs...)
	if len(st.Hubs) > maxHubs {
		st.Hubs = st.Hubs[:maxHubs]
	}
	return true
}

// Save writes st to path whole or not at all.
func (st State) Save(path string) error {
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("headless: save state: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".headless-*.json")
	if err != nil {
		return fmt.Errorf("headless: save state: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("headless: save state: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("headless: save state: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("headless: save state: %w", err)
	}
	return nil
}

// joinedHub returns the host:port of the hub a welcome came from when it is
// another machine's, or "".
func joinedHub(url string) string {
	hp := strings.TrimPrefix(strings.TrimPrefix(url, "ws://"), "wss://")
	if i := strings.IndexByte(hp, '/'); i >= 0 {
		hp = hp[:i]
	}
	if hp == "" || strings.HasPrefix(hp, "127.") || strings.HasPrefix(hp, "[::1]") || strings.HasPrefix(hp, "localhost") {
		return ""
	}
	return hp
}
