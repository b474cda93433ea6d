package headless

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/huecast/huecast/net/peer"
	"github.com/huecast/huecast/net/wire"
)

// maxHubs is how many hubs joined before a headless peer keeps, as the
// window does.
const maxHubs = 5

// EnvState names the state file instead of the default.
const EnvState = "HUECAST_STATE"

// State is what a headless peer keeps between runs, as JSON in one file.
type State struct {
	// ID is the peer's id: the same every run, so that "you", the order of
	// election and reconnects hold across restarts (see ClaimID).
	ID string `json:"id,omitempty"`
	// Hubs are the hubs this peer joined, host:port, newest first: asked
	// first at the next start, so a room reforms where neither mDNS nor the
	// subnet search gets through.
	Hubs []string `json:"hubs,omitempty"`
}

// StatePath is where the state lives unless --state says otherwise:
// $HUECAST_STATE, else huecast/headless.json in the user's configuration
// folder (~/.config on Linux, %AppData% on Windows, ~/Library/Application
// Support on macOS); "" when there is none.
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

// ClaimID returns the peer id this run takes part under: the one kept in
// the state file at path, made and saved the first time. While the peer
// runs it holds path's lock (path + ".lock"); a second peer started on the
// same file meanwhile gets a fresh id that is not kept, and note says so,
// rather than two peers sharing one id and replacing each other in the
// room. An empty path keeps nothing. A state file that is not huecast's is
// an error, and is left as it is. The caller must call release when the
// peer has ended.
func ClaimID(path string) (id, note string, release func(), err error) {
	release = func() {}
	if path == "" {
		return peer.NewID(), "no state file: a new peer id for this run", release, nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return "", "", release, fmt.Errorf("headless: state %s: %w", path, err)
	}
	f, err := os.OpenFile(path+".lock", os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return "", "", release, fmt.Errorf("headless: state %s: %w", path, err)
	}
	if !lock(f) {
		f.Close()
		return peer.NewID(), "another huecast is using " + path + ": a new peer id for this run (give each peer its own --state)", release, nil
	}
	release = func() { f.Close() }
	st, err := LoadState(path)
	if err != nil {
		release()
		return "", "", func() {}, fmt.Errorf("%w; move it away, or choose another file with --state", err)
	}
	if st.ID != "" && wire.CleanName(st.ID, wire.MaxIDLen) == st.ID {
		return st.ID, "", release, nil
	}
	st.ID = peer.NewID()
	if err := st.Save(path); err != nil {
		release()
		return "", "", func() {}, err
	}
	return st.ID, "", release, nil
}
