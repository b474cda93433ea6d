package ui

import (
	"fmt"
	"image/color"
	"math"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2/widget"

	"github.com/huecast/huecast/net/event"
	"github.com/huecast/huecast/net/wire"
)

// apply shows one event of the peer. It runs on the UI goroutine.
func (u *UI) apply(ev event.Event) {
	switch e := ev.(type) {
	case event.Searching:
		if e.Reason == event.ReasonHostLost {
			u.setText(u.status, fmt.Sprintf("The host left; looking for room %s's new host…", e.Room))
		} else {
			u.setText(u.status, fmt.Sprintf("Looking for room %s on the network…", e.Room))
		}
	case event.HostChanged:
		u.moved = "The host left; "
		if e.Reason == event.ReasonMerged {
			u.moved = "The room's two hubs became one; "
		}
		if e.ID != "" && e.ID == u.selfID {
			// Hosting follows, and says where.
			u.setText(u.status, u.moved+"this window takes over as the host…")
			break
		}
		u.hosting = "" // a hub that merged into another no longer hosts here
		who := "the room's new hub"
		if e.Name != "" {
			who = e.Name + "'s hub"
		}
		u.setText(u.status, fmt.Sprintf("%smoving to %s at %s…", u.moved, who, hostPort(e.URL)))
	case event.Hosting:
		u.hosting = hostPort(e.URL)
		u.setText(u.status, u.hostingText(e.Room))
	case event.Joined:
		u.online = true
		u.selfID, u.hostID, u.hostName, u.hubAddr = e.ID, e.HostID, e.Host, hostPort(e.URL)
		if u.hosting == "" && !strings.HasPrefix(u.hubAddr, "127.") && !strings.HasPrefix(u.hubAddr, "[::1]") {
			u.remember(u.hubAddr)
		}
		u.peers = slices.Clone(e.Peers)
		if u.hosting != "" {
			u.setText(u.status, u.hostingText(e.Room))
		} else {
			u.setText(u.status, u.joinedText(e.Host, u.hubAddr))
		}
		u.moved = ""
		u.leadNow = e.Lead
		u.showLead()
		// The welcome's colour shows at once, whatever waited; it says
		// who set the colour but not when.
		u.dropPending()
		u.showColor(e.Color, e.ByName, e.By != "" && e.By == e.ID, time.Time{})
		u.showPeers()
	case event.ColorChanged:
		u.colorArrived(e)
	case event.Alone:
		u.setText(u.status, aloneText(e))
	case event.PeerJoined:
		if u.hosting != "" && strings.HasPrefix(u.status.Text, "No other peer of room") {
			u.setText(u.status, u.hostingText(u.settings.Room))
		}
		if !slices.ContainsFunc(u.peers, func(p wire.Peer) bool { return p.ID == e.Peer.ID }) {
			u.peers = append(u.peers, e.Peer)
		}
		u.showPeers()
	case event.PeerLeft:
		u.peers = slices.DeleteFunc(u.peers, func(p wire.Peer) bool { return p.ID == e.Peer.ID })
		u.showPeers()
	case event.Disconnected:
		u.online, u.peers = false, nil
		u.setText(u.status, fmt.Sprintf("Reconnecting (attempt %d)… %s", e.Attempt, e.Reason))
		u.clearRTT()
		u.showPeers()
	case event.HubError:
		u.setText(u.status, "The hub says: "+e.Message)
		if e.Code == wire.CodeUnauthorized {
			u.showNameRoom() // ask for the room's passphrase
		}
	case event.RTT:
		u.showRTT(e.D)
	case event.Stopped:
		u.online, u.peers, u.hosting = false, nil, ""
		u.setText(u.status, fmt.Sprintf("Stopped: %v. Join a hub with Room → Join by address…", e.Err))
		u.showPeers()
	}
	u.showPageLink()
}

// hostingText: "Hosting room lobby at 10.0.0.5:7788", or after a failover
// "The host left; now hosting room lobby at …".
func (u *UI) hostingText(room string) string {
	if u.moved != "" {
		return fmt.Sprintf("%snow hosting room %s at %s", u.moved, room, u.hosting)
	}
	return fmt.Sprintf("Hosting room %s at %s", room, u.hosting)
}

// aloneText says, on the status's one line, that nobody else was found
// and what usually helps; headless and --diagnose list the causes in full.
func aloneText(e event.Alone) string {
	return fmt.Sprintf("No other peer of room %s found. Allow TCP 7788 and UDP 5353 in the firewall (Windows: a Private network), "+
		"avoid guest Wi-Fi, another subnet or a VPN — or use Join by address.", e.Room)
}

// joinedText: "Joined carol's hub at 10.0.0.7:7788", or after a failover
// "The host left; joined carol's hub at …" (wire.TextJoined, which the page
// says too).
func (u *UI) joinedText(host, addr string) string {
	s := wire.Fill(wire.TextJoined, "host", host, "addr", addr)
	if host == "" {
		s = wire.Fill(wire.TextJoinedHub, "addr", addr)
	}
	if u.moved != "" {
		return u.moved + s
	}
	return wire.Capital(s)
}

// peerEnded: the peer has stopped for good (the program is ending).
func (u *UI) peerEnded() {
	u.online, u.peers = false, nil
	u.setText(u.status, "Stopped.")
	u.showPeers()
	u.showPageLink()
}

// showStarting says what the peer is doing before its first event.
func (u *UI) showStarting() {
	if u.settings.Join != "" {
		u.setText(u.status, "Joining "+hostPort(u.settings.Join)+"…")
	} else {
		u.setText(u.status, "Starting room "+u.settings.Room+"…")
	}
}

// showColor paints the circle and names the colour, who set it and when.
func (u *UI) showColor(hex, byName string, byYou bool, at time.Time) {
	u.color, u.byName, u.byYou, u.setAt = hex, byName, byYou, at
	if fill := hexColor(hex); fill != u.circle.FillColor {
		u.circle.FillColor = fill
		u.circle.Refresh()
	}
	if name := wire.ColorName(hex); name != "" {
		u.setText(u.colorText, name+"   "+hex)
	} else {
		u.setText(u.colorText, hex)
	}
	u.showLastSet()
}

// showLastSet writes "Blue, set by bob, 3 s ago", and asks for a tick at
// the moment those words will change ("4 s ago", later "2 min ago"), and
// for none while nothing says when the colour was set.
func (u *UI) showLastSet() {
	s := wire.ColorName(u.color)
	if s == "" {
		s = u.color
	}
	switch {
	case u.byYou:
		s += ", " + wire.TextSetByYou
	case u.byName != "":
		s += ", " + wire.Fill(wire.TextSetBy, "name", u.byName)
	default:
		s += ", the room's colour"
	}
	next := time.Duration(0)
	if !u.setAt.IsZero() {
		age := max(u.now().Sub(u.setAt), 0)
		s += ", " + ago(age)
		next = untilAgoChanges(age)
	}
	u.setText(u.lastSet, s)
	u.ageIn(next)
}

// showRTT writes the hub's round trip when it has moved from the one shown
// by more than rttStill: a figure that changes with every ping's jitter
// would redraw the window every couple of seconds and tell a person nothing.
func (u *UI) showRTT(d time.Duration) {
	if u.rttShown > 0 && (d-u.rttShown).Abs() <= max(rttStill, u.rttShown/5) {
		return
	}
	u.rttShown = d
	u.setText(u.rtt, "Hub round trip: "+millis(d))
}

// clearRTT says the round trip is not known.
func (u *UI) clearRTT() {
	u.rttShown = 0
	u.setText(u.rtt, "Hub round trip: —")
}

// setText writes s into l, which redraws the window, only when it changes
// what l says: a window at rest draws nothing.
func (u *UI) setText(l *widget.Label, s string) {
	if l.Text == s {
		return
	}
	l.SetText(s)
	u.rewrites++
}

// showPeers lists who is here, the host and this peer marked.
func (u *UI) showPeers() {
	u.peerBox.RemoveAll()
	if !u.online {
		u.setText(u.heading, wire.TextHereNow)
		u.peerBox.Add(widget.NewLabel("Not connected"))
		return
	}
	u.setText(u.heading, fmt.Sprintf("%s (%d)", wire.TextHereNow, len(u.peers)))
	for _, p := range u.peers {
		name := p.Name
		// The host is marked by id: names are anyone's to share.
		host := u.hostID != "" && p.ID == u.hostID
		switch {
		case host && p.ID == u.selfID:
			name += " (host, you)"
		case host:
			name += " (host)"
		case p.ID == u.selfID:
			name += " (you)"
		}
		u.peerBox.Add(widget.NewLabel(name))
	}
}

// hexColor turns #rrggbb into a colour; anything else is black.
func hexColor(hex string) color.Color {
	var r, g, b uint8
	if _, err := fmt.Sscanf(hex, "#%02x%02x%02x", &r, &g, &b); err != nil {
		return color.Black
	}
	return color.NRGBA{R: r, G: g, B: b, A: 0xff}
}

// colorHex turns a colour into #rrggbb, ignoring alpha.
func colorHex(c color.Color) string {
	n := color.NRGBAModel.Convert(c).(color.NRGBA)
	return fmt.Sprintf("#%02x%02x%02x", n.R, n.G, n.B)
}

// hostPort shortens a hub URL ("ws://10.0.0.5:7788/ws") to what a person
// types: "10.0.0.5:7788".
func hostPort(hub string) string {
	if hp := wire.HostPort(hub); hp != "" {
		return hp
	}
	return hub
}

// ago words an age: "just now", "3 s ago", "2 min ago", "1 h ago".
func ago(d time.Duration) string {
	switch {
	case d < time.Second:
		return "just now"
	case d < time.Minute:
		return fmt.Sprintf("%d s ago", int(d/time.Second))
	case d < time.Hour:
		return fmt.Sprintf("%d min ago", int(d/time.Minute))
	default:
		return fmt.Sprintf("%d h ago", int(d/time.Hour))
	}
}

// untilAgoChanges is how long after age ago(age) words it differently:
// to the next whole second in the first minute, the next whole minute in
// the first hour, then the next whole hour.
func untilAgoChanges(age time.Duration) time.Duration {
	unit := time.Hour
	switch {
	case age < time.Minute:
		unit = time.Second
	case age < time.Hour:
		unit = time.Minute
	}
	return unit - age%unit
}

// millis words a round trip: "0.4 ms" below 10 ms, "23 ms" above.
func millis(d time.Duration) string {
	ms := float64(d) / float64(time.Millisecond)
	if ms < 10 {
		return fmt.Sprintf("%.1f ms", ms)
	}
	return fmt.Sprintf("%d ms", int(math.Round(ms)))
}
