package link

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/websocket"
	"github.com/huecast/huecast/net/wire"
)

// Refusal is a hub's answer that ends a session before it began, or a hub
// that could not prove it knows the room's passphrase; its HubError is
// what the person is told.
type Refusal struct{ HubError }

func (r *Refusal) Error() string { return r.Code + ": " + r.Message }

// authenticate runs the mutual proof of a room with a passphrase on ws,
// before this peer says anything about itself: it challenges the hub,
// answers the hub's challenge, and checks the hub's answer to its own,
// both bound to the two nonces and the address url dialled (the Host the
// hub was sent), so that a program relaying them gets nothing.
// nil means the hub knows the room's key. A *Refusal says why the hub is
// not the room's: it refused us, serves the room without a passphrase, or
// answered wrongly.
func authenticate(ws *websocket.Conn, key []byte, url, room string) error {
	unproven := func(why string, pairs ...string) error {
		return &Refusal{HubError{Code: wire.CodeUnprovenHub, Message: wire.Unproven(hostOf(url), room, wire.Fill(why, pairs...))}}
	}
	endpoint := wire.Endpoint(hostOf(url)) // the Host gorilla sends

	mine := wire.NewNonce()
	_ = ws.SetWriteDeadline(time.Now().Add(wire.WriteWait))
	if err := ws.WriteJSON(wire.Challenge{Type: wire.TypeChallenge, Nonce: mine}); err != nil {
		return fmt.Errorf("challenge to %s: %w", url, err)
	}
	_ = ws.SetReadDeadline(time.Now().Add(welcomeWait))
	w, err := readOut(ws)
	if err != nil {
		return fmt.Errorf("waiting for the challenge of %s: %w", url, err)
	}
	switch {
	case w.Type == wire.TypeError && w.Code == wire.CodeOpenRoom:
		return unproven(wire.WhyOpenRoom)
	case w.Type == wire.TypeError:
		return &Refusal{HubError{Code: w.Code, Message: w.Message}}
	case w.Type != wire.TypeChallenge:
		return unproven(wire.WhyAnsweredWith, "type", strconv.Quote(clipType(w.Type)))
	case w.Nonce == mine:
		return unproven(wire.WhyOwnChallenge)
	case !wire.ValidNonce(w.Nonce):
		return unproven(wire.WhyNotAChallenge)
	case w.V != wire.Version:
		// A challenge without a version is protocol 2's.
		return &Refusal{HubError{Code: wire.CodeBadVersion, Message: wire.VersionText(hostOf(url), max(w.V, 2), wire.Version)}}
	}
	hubNonce := w.Nonce
	_ = ws.SetWriteDeadline(time.Now().Add(wire.WriteWait))
	if err := ws.WriteJSON(wire.Auth{Type: wire.TypeAuth, MAC: wire.Answer(key, w.Nonce, mine, endpoint)}); err != nil {
		return fmt.Errorf("answer to %s: %w", url, err)
	}
	if w, err = readOut(ws); err != nil {
		return fmt.Errorf("waiting for the proof of %s: %w", url, err)
	}
	switch {
	case w.Type == wire.TypeError:
		return &Refusal{HubError{Code: w.Code, Message: w.Message}}
	case w.Type != wire.TypeAuth || !wire.CheckProof(key, hubNonce, mine, endpoint, w.MAC):
		return unproven(wire.WhyNoProof)
	}
	return nil
}

// Prove dials the hub at url and runs the mutual proof of a room with a
// passphrase (key is wire.AuthKey's), then hangs up without joining. A
// hosting peer asks it of a hub before it folds into it.
func Prove(ctx context.Context, hubURL string, key []byte, room string) error {
	url, err := NormalizeURL(hubURL)
	if err != nil {
		return err
	}
	d := websocket.Dialer{HandshakeTimeout: 5 * time.Second, Proxy: LANProxy}
	ws, _, err := d.DialContext(ctx, url, nil)
	if err != nil {
		return fmt.Errorf("%s: %w", wire.Fill(wire.TextCannotReach, "host", hostOf(url)), err)
	}
	defer ws.Close()
	stop := context.AfterFunc(ctx, func() { ws.Close() })
	defer stop()
	ws.SetReadLimit(wire.MaxFrame)
	err = authenticate(ws, key, url, wire.RoomName(room))
	_ = ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, "proved"),
		time.Now().Add(wire.WriteWait))
	return err
}

// LANProxy is the link's proxy: none for a hub on the LAN (an address of a
// private, loopback or link-local range, a .local name or a name without
// dots), the environment's (HTTP_PROXY and friends) for anything else.
func LANProxy(r *http.Request) (*url.URL, error) {
	host := r.URL.Hostname()
	if ip := net.ParseIP(host); ip != nil {
		if ip.IsPrivate() || ip.IsLoopback() || ip.IsLinkLocalUnicast() || ip.IsUnspecified() {
			return nil, nil
		}
		return http.ProxyFromEnvironment(r)
	}
	if h := strings.TrimSuffix(strings.ToLower(host), "."); !strings.Contains(h, ".") || strings.HasSuffix(h, ".local") {
		return nil, nil
	}
	return http.ProxyFromEnvironment(r)
}

// hostOf is url's host:port, for messages.
func hostOf(u string) string {
	_, rest, _ := strings.Cut(u, "://")
	host, _, _ := strings.Cut(rest, "/")
	return host
}

func clipType(s string) string {
	if len(s) > 32 {
		return s[:32] + "…"
	}
	return s
}
