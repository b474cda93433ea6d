// Package headless runs a peer without a window: events out as one JSON
// object per line, commands in one per line.
package headless

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"strings"
	"sync"

	"github.com/huecast/huecast/net/link"
	"github.com/huecast/huecast/net/peer"
	"github.com/huecast/huecast/net/wire"
)

// Peer is what headless mode drives.
type Peer interface {
	Events() <-chan link.Event
	SetColor(string) error
}

// Run prints p's events to out until they end, and reads commands from in:
// a colour name or #rrggbb sets the room's colour, "quit" calls quit. End of
// input does not stop the peer.
func Run(ctx context.Context, p Peer, in io.Reader, out io.Writer, quit func()) {
	RunRemembering(ctx, p, in, out, quit, "")
}

// RunRemembering is Run that also keeps, in the state file at statePath
// ("" for none), the hubs of other machines the peer joins.
func RunRemembering(ctx context.Context, p Peer, in io.Reader, out io.Writer, quit func(), statePath string) {
	var mu sync.Mutex // guards out: events and command errors interleave
	enc := json.NewEncoder(out)
	print := func(v any) {
		mu.Lock()
		defer mu.Unlock()
		_ = enc.Encode(v)
	}
	go func() {
		sc := bufio.NewScanner(in)
		for sc.Scan() {
			line := strings.TrimSpace(sc.Text())
			switch {
			case line == "":
			case line == "quit":
				quit()
				return
			default:
				c, err := wire.ResolveColor(line)
				if err == nil {
					err = p.SetColor(c)
				}
				if err != nil {
					print(map[string]any{"event": "error", "code": wire.CodeBadColor, "message": err.(*wire.ProtocolError).Message})
				}
			}
		}
	}()
	hosting := ""
	for ev := range p.Events() {
		if v := encode(ev); v != nil {
			print(v)
		}
		switch e := ev.(type) {
		case peer.Hosting:
			hosting = joinedHub(e.URL)
		case link.Joined:
			if hp := joinedHub(e.URL); hp != "" && hp != hosting && statePath != "" {
				remember(statePath, hp, print)
			}
		}
	}
}

func encode(ev link.Event) map[string]any {
	m := map[string]any{"event": ev.Kind()}
	switch e := ev.(type) {
	case peer.Hosting:
		m["url"], m["room"] = e.URL, e.Room
	case peer.Alone:
		m["room"], m["causes"] = e.Room, e.Causes
		m["message"] = "No other peer of room '" + e.Room + "' found. Others can join this one by address, or see the causes."
	case peer.Searching:
		m["room"], m["reason"] = e.Room, e.Reason
	case peer.HostChanged:
		m["url"], m["id"], m["name"], m["reason"] = e.URL, e.ID, e.Name, e.Reason
	case link.Joined:
		m["url"], m["color"], m["stamp"], m["peers"], m["room"], m["host"] = e.URL, e.Color, e.Stamp, len(e.Peers), e.Room, e.Host
		m["id"], m["host_id"] = e.ID, e.HostID
		m["lead_ms"] = wire.Millis(e.Lead)
	case link.ColorChanged:
		m["color"], m["stamp"], m["by"] = e.Color, e.Stamp, e.Name
		// When it was shown, on the hub's clock and this machine's, and
		// the moment it was meant for: enough to measure how together a
		// room flips.
		m["at"], m["late"], m["late_count"] = e.At, e.Late, e.LateCount
		m["shown_unix_ms"] = float64(e.Shown.UnixMicro()) / 1000
		if e.Synced {
			m["offset_ms"], m["shown_ms"] = wire.Millis(e.Offset), e.ShownHub
		}
	case link.PeerJoined:
		m["name"], m["id"] = e.Peer.Name, e.Peer.ID
	case link.PeerLeft:
		m["name"], m["id"], m["reason"] = e.Peer.Name, e.Peer.ID, e.Reason
	case link.Disconnected:
		m["reason"], m["url"], m["attempt"], m["retry_ms"] = e.Reason, e.URL, e.Attempt, e.RetryIn.Milliseconds()
	case link.HubError:
		m["code"], m["message"] = e.Code, e.Message
	case link.RTT:
		return nil // several a second would drown the useful lines
	}
	return m
}

// remember puts hp first in the state at path; a failure is told, not fatal.
func remember(path, hp string, print func(any)) {
	st, err := LoadState(path)
	if err == nil && st.Remember(hp) {
		err = st.Save(path)
	}
	if err != nil {
		print(map[string]any{"event": "error", "code": "state", "message": err.Error()})
	}
}
