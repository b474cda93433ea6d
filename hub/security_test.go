package hub_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/huecast/huecast/hub"
	"github.com/huecast/huecast/net/wire"
)

const testPassphrase = "correct horse"

// key is derived once: PBKDF2 is slow on purpose.
// The keys are derived before any client connects: PBKDF2 under the race
// detector on a busy machine takes seconds, longer than the hello deadline,
// and a test's idle client reads nothing (so answers no ping) meanwhile.
var (
	testKey    = wire.AuthKey(testPassphrase, "lobby")
	wrongKey   = wire.AuthKey("wrong horse", "lobby")
	kitchenKey = wire.AuthKey(testPassphrase, "kitchen")
)

// endpoint is what a client dialling s binds its proofs to.
func (s *server) endpoint() string { return wire.Endpoint(s.Listener.Addr().String()) }

// challenged dials a hub with a passphrase and returns the client and the
// nonce of the challenge, which must be the hub's first frame.
func challenged(t *testing.T, s *server) (*client, string) {
	t.Helper()
	c := dial(t, s)
	ch := c.next()
	if ch.Type != wire.TypeChallenge || len(ch.Nonce) != 2*wire.NonceLen {
		t.Fatalf("first frame %+v, want a challenge with a %d-byte nonce", ch, wire.NonceLen)
	}
	return c, ch.Nonce
}

func TestPassphraseAdmitsOnlyClientsThatProveIt(t *testing.T) {
	t.Parallel()
	s := startHub(t, hub.Config{Room: "lobby", Passphrase: testPassphrase})

	// The right answer, given after the hello (as net/link does), joins.
	alice, nonce := challenged(t, s)
	alice.send(wire.Hello{Type: wire.TypeHello, V: wire.Version, ID: "a", Name: "alice", Room: "lobby"})
	alice.send(wire.Auth{Type: wire.TypeAuth, MAC: wire.Answer(testKey, nonce, "", s.endpoint())})
	if w := alice.next(); w.Type != wire.TypeWelcome || w.ID != "a" {
		t.Fatalf("after a right answer got %+v, want welcome", w)
	}
	// And before the hello (as a page that knows the key may).
	bob, nonce := challenged(t, s)
	bob.send(wire.Auth{Type: wire.TypeAuth, MAC: wire.Answer(testKey, nonce, "", s.endpoint())})
	bob.hello("b", "bob")
	alice.nextOf(wire.TypeJoin)

	refused := []struct {
		name string
		mac  func(nonce string) string
	}{
		{"wrong passphrase", func(n string) string { return wire.Answer(wrongKey, n, "", s.endpoint()) }},
		{"right passphrase, other room", func(n string) string { return wire.Answer(kitchenKey, n, "", s.endpoint()) }},
		{"answer to another nonce (replay)", func(string) string {
			return wire.Answer(testKey, strings.Repeat("00", wire.NonceLen), "", s.endpoint())
		}},
		// What a relay gets from a peer that dialled it: an answer bound
		// to the relay's address, not the hub's.
		{"answer for another address (relayed)", func(n string) string { return wire.Answer(testKey, n, "", "10.9.9.9:7788") }},
		{"answer naming another client nonce", func(n string) string { return wire.Answer(testKey, n, wire.NewNonce(), s.endpoint()) }},
		{"not hex", func(string) string { return "zz" }},
		{"empty", func(string) string { return "" }},
		{"the passphrase itself", func(string) string { return testPassphrase }},
	}
	for _, tc := range refused {
		t.Run(tc.name, func(t *testing.T) {
			c, nonce := challenged(t, s)
			c.send(wire.Hello{Type: wire.TypeHello, V: wire.Version, ID: "mallory", Name: "mallory", Room: "lobby"})
			c.send(wire.SetColor{Type: wire.TypeColor, Color: "#ff0000"})
			if e := c.nextOf(wire.TypeError); e.Code != wire.CodeHelloRequired {
				t.Fatalf("colour before the answer: %+v, want hello_required", e)
			}
			c.send(wire.Auth{Type: wire.TypeAuth, MAC: tc.mac(nonce)})
			if e := c.nextOf(wire.TypeError); e.Code != wire.CodeUnauthorized || e.Message == "" {
				t.Fatalf("got %+v, want unauthorized", e)
			}
			if code := c.closeCode(); code != websocket.ClosePolicyViolation {
				t.Fatalf("close code %d, want 1008", code)
			}
		})
	}
	// Nobody refused got in: the room saw no join, and its colour is unchanged.
	alice.send(wire.SetColor{Type: wire.TypeColor, Color: "#1e90ff"})
	for {
		out := alice.next()
		if out.Type == wire.TypeJoin {
			t.Fatalf("a refused client joined: %+v", out)
		}
		if out.Type == wire.TypeColor {
			if out.Color != "#1e90ff" || out.By != "a" {
				t.Fatalf("colour %+v, want #1e90ff by alice", out)
			}
			break
		}
	}
}

func TestGuessingThePassphraseOnlineIsSlowedDown(t *testing.T) {
	t.Parallel()
	s := startHub(t, hub.Config{Room: "lobby", Passphrase: testPassphrase})
	guessKey := wire.AuthKey("guess", "lobby")
	answer := func(key []byte) wire.Out {
		c, nonce := challenged(t, s)
		c.send(wire.Hello{Type: wire.TypeHello, V: wire.Version, ID: "g", Name: "guesser", Room: "lobby"})
		c.send(wire.Auth{Type: wire.TypeAuth, MAC: wire.Answer(key, nonce, "", s.endpoint())})
		return c.next()
	}
	// A person mistyping it a few times still gets in.
	for range 3 {
		if e := answer(guessKey); e.Code != wire.CodeUnauthorized {
			t.Fatalf("wrong answer got %+v", e)
		}
	}
	if w := answer(testKey); w.Type != wire.TypeWelcome {
		t.Fatalf("right answer after 3 wrong ones got %+v, want welcome", w)
	}
	// A guesser runs out of tries: even the right answer is then refused.
	guesses := 0
	for ; guesses < 100; guesses++ {
		if e := answer(guessKey); strings.Contains(e.Message, "Too many") {
			break
		}
	}
	if guesses > 10 {
		t.Fatalf("%d wrong answers before the hub slowed down, want at most 10", guesses)
	}
	if e := answer(testKey); e.Code != wire.CodeUnauthorized || !strings.Contains(e.Message, "Too many") {
		t.Fatalf("right answer from a guessing address got %+v, want too many", e)
	}
}

func TestPassphraseMissingIsRefusedAtTheHelloDeadline(t *testing.T) {
	t.Parallel()
	s := startHub(t, hub.Config{Room: "lobby", Passphrase: testPassphrase})
	c, _ := challenged(t, s)
	start := time.Now()
	c.send(wire.Hello{Type: wire.TypeHello, V: wire.Version, ID: "old", Name: "old client", Room: "lobby"})
	if e := c.nextOf(wire.TypeError); e.Code != wire.CodeUnauthorized || !strings.Contains(e.Message, "needs a passphrase") {
		t.Fatalf("got %+v, want unauthorized saying a passphrase is needed", e)
	}
	if code := c.closeCode(); code != websocket.ClosePolicyViolation {
		t.Fatalf("close code %d, want 1008", code)
	}
	if took := time.Since(start); took > 6*time.Second {
		t.Fatalf("refused after %v, want within the 5 s hello deadline", took)
	}
}

func TestRoomWithoutPassphraseSendsNoChallenge(t *testing.T) {
	t.Parallel()
	s := startHub(t, hub.Config{Room: "lobby"})
	c := dial(t, s)
	// hello() fails unless the first frame is the welcome; an answer to a
	// challenge nobody sent changes nothing.
	c.send(wire.Auth{Type: wire.TypeAuth, MAC: "00"})
	c.hello("a", "alice")
}

func TestColourFloodIsRateLimitedAndThenDisconnected(t *testing.T) {
	t.Parallel()
	s := startHub(t, hub.Config{Room: "lobby"})
	bystander := dial(t, s)
	bystander.hello("by", "bystander")
	flood := dial(t, s)
	flood.hello("f", "flooder")
	bystander.nextOf(wire.TypeJoin)

	// Far more than the burst, as fast as the socket takes them: the first
	// DefaultColorBurst (and what the bucket refills meanwhile) pass, the
	// rest are dropped with rate_limited, and the flood goes on long enough
	// to be disconnected. The flooder stops writing once the hub hangs up.
	const sent = 1000
	go func() {
		for i := range sent {
			if flood.ws.WriteMessage(websocket.TextMessage, []byte(fmt.Sprintf(`{"type":"color","color":"#%06x"}`, i+1))) != nil {
				return
			}
		}
	}()
	limited, code := 0, 0
	for code == 0 {
		out, err := flood.read()
		if ce, ok := err.(*websocket.CloseError); ok {
			code = ce.Code
			break
		}
		if err != nil {
			t.Fatalf("flooder: %v", err)
		}
		if out.Type == wire.TypeError && out.Code == wire.CodeRateLimited {
			limited++
		}
	}
	if limited == 0 || code != websocket.ClosePolicyViolation {
		t.Fatalf("flooder got %d rate_limited errors and close %d; want some, then 1008", limited, code)
	}
	// The bystander saw at most a burst and a refill of the flood, then the
	// flooder dropped, and is still served.
	colours := 0
	for {
		out := bystander.next()
		if out.Type == wire.TypeColor {
			colours++
		}
		if out.Type == wire.TypeLeave && out.Peer.ID == "f" {
			if out.Reason != wire.ReasonDropped {
				t.Fatalf("flooder left with %q, want dropped", out.Reason)
			}
			break
		}
	}
	if colours < hub.DefaultColorBurst || colours > hub.DefaultColorBurst+40 {
		t.Fatalf("bystander saw %d of the flood's %d colours, want about the burst of %d", colours, sent, hub.DefaultColorBurst)
	}
	bystander.send(wire.SetColor{Type: wire.TypeColor, Color: "#abcdef"})
	if got := bystander.nextOf(wire.TypeColor); got.Color != "#abcdef" || got.By != "by" {
		t.Fatalf("bystander's colour came back as %+v, want #abcdef", got)
	}
}

func TestShortBurstOverTheLimitIsDroppedButNotDisconnected(t *testing.T) {
	t.Parallel()
	s := startHub(t, hub.Config{Room: "lobby", ColorRate: 1, ColorBurst: 3})
	c := dial(t, s)
	c.hello("a", "alice")
	for i := range 10 {
		c.send(wire.SetColor{Type: wire.TypeColor, Color: fmt.Sprintf("#00000%d", i)})
	}
	if e := c.nextOf(wire.TypeError); e.Code != wire.CodeRateLimited {
		t.Fatalf("got %+v, want rate_limited", e)
	}
	// Still connected: a ping is answered, and the room holds the last
	// colour that passed (the burst of 3; the bucket may have refilled one).
	c.send(wire.Ping{Type: wire.TypePing, T: 7})
	c.nextOf(wire.TypePong)
	st, err := s.hub.State(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if st.Color != "#000002" && st.Color != "#000003" {
		t.Fatalf("room state %+v, want the first 3 or 4 colours accepted", st)
	}
}

func TestRoomFullRefusesOneMoreButNotAReconnect(t *testing.T) {
	t.Parallel()
	s := startHub(t, hub.Config{Room: "lobby", MaxPeers: 2})
	a := dial(t, s)
	a.hello("a", "alice")
	b := dial(t, s)
	b.hello("b", "bob")
	c := dial(t, s)
	c.send(wire.Hello{Type: wire.TypeHello, V: wire.Version, ID: "c", Name: "carol", Room: "lobby"})
	if e := c.nextOf(wire.TypeError); e.Code != wire.CodeRoomFull || !strings.Contains(e.Message, "2") {
		t.Fatalf("got %+v, want room_full naming the limit", e)
	}
	if code := c.closeCode(); code != websocket.ClosePolicyViolation {
		t.Fatalf("close code %d, want 1008", code)
	}
	// bob's new connection replaces his old one: the room stays at two.
	b2 := dial(t, s)
	b2.hello("b", "bob")
	a.send(wire.SetColor{Type: wire.TypeColor, Color: "#123456"})
	if got := b2.nextOf(wire.TypeColor); got.Color != "#123456" {
		t.Fatalf("got %+v", got)
	}
}

func TestForgedStampsCannotFreezeTheRoom(t *testing.T) {
	t.Parallel()
	s := startHub(t, hub.Config{Room: "lobby"})
	a := dial(t, s)
	a.hello("a", "alice")
	now := time.Now()
	for i, forged := range []wire.Stamp{
		{MS: now.Add(24 * time.Hour).UnixMilli(), ID: "m"},              // a day ahead
		{MS: now.Add(wire.MaxAhead + time.Minute).UnixMilli(), ID: "m"}, // past the bound
		{MS: wire.MaxSafe + 1, ID: "m"},                                 // beyond what a page compares
		{MS: now.Add(30 * time.Second).UnixMilli(), N: wire.MaxSafe + 1, ID: "m"},
		{MS: now.Add(30 * time.Second).UnixMilli(), ID: "m\x00\u200e"}, // not an id
	} {
		m := dial(t, s)
		color := fmt.Sprintf("#00000%d", i)
		m.send(wire.Hello{Type: wire.TypeHello, V: wire.Version, ID: fmt.Sprint("m", i), Name: "mallory", Room: "lobby", Color: color, Stamp: forged})
		// Nothing is lost: the colour counts as set now, under the hub's
		// own stamp, and the sender learns why.
		w := m.nextOf(wire.TypeWelcome)
		if w.Color != color || w.Stamp == forged || w.Stamp.MS > time.Now().UnixMilli() {
			t.Fatalf("forged %v: welcome %+v, want %s stamped by the hub", forged, w, color)
		}
		if e := m.next(); e.Type != wire.TypeError || e.Code != wire.CodeBadStamp {
			t.Fatalf("forged %v: got %+v after the welcome, want bad_stamp", forged, e)
		}
		if c := a.nextOf(wire.TypeColor); c.Color != color || c.Stamp != w.Stamp {
			t.Fatalf("forged %v: alice got %+v", forged, c)
		}
	}
	// The room goes on: a colour from another hub set a moment ago is still
	// newer than the forged ones, and is adopted.
	fresh := wire.Stamp{MS: time.Now().UnixMilli() + 50, ID: "p"}
	p := dial(t, s)
	p.send(wire.Hello{Type: wire.TypeHello, V: wire.Version, ID: "p", Name: "pat", Room: "lobby", Color: "#ff0000", Stamp: fresh})
	if w := p.nextOf(wire.TypeWelcome); w.Stamp != fresh || w.Color != "#ff0000" {
		t.Fatalf("welcome %+v, want #ff0000 at %v adopted", w, fresh)
	}
}

func TestHelloOfAnotherProtocolVersionIsRefused(t *testing.T) {
	t.Parallel()
	s := startHub(t, hub.Config{Room: "lobby"})
	a := dial(t, s)
	a.hello("a", "alice")
	for _, tc := range []struct {
		hello string
		says  string
	}{
		{`{"type":"hello","id":"old","room":"lobby","color":"#ff0000","seq":40}`, "update huecast on this device"},
		{`{"type":"hello","v":2,"id":"v2","room":"lobby","color":"#ff0000"}`, "update huecast on this device"},
		{`{"type":"hello","v":4,"id":"new","room":"lobby"}`, "update huecast on the hub"},
	} {
		c := dial(t, s)
		c.sendRaw(tc.hello)
		// The message names the hub by the address the device dialled.
		if e := c.next(); e.Type != wire.TypeError || e.Code != wire.CodeBadVersion || !strings.Contains(e.Message, tc.says) ||
			!strings.HasPrefix(e.Message, "The hub at 127.0.0.1:") {
			t.Fatalf("%s: got %+v, want bad_version saying %q", tc.hello, e, tc.says)
		}
		if code := c.closeCode(); code != websocket.ClosePolicyViolation {
			t.Fatalf("close code %d, want 1008", code)
		}
	}
	// The room never saw them, and its colour is untouched.
	st, err := s.hub.State(t.Context())
	if err != nil || st.Color != wire.StartColor || len(st.Peers) != 1 {
		t.Fatalf("state %+v, %v; want green with alice alone", st, err)
	}
}

func TestBinaryFrameGetsBadJSON(t *testing.T) {
	t.Parallel()
	s := startHub(t, hub.Config{Room: "lobby"})
	c := dial(t, s)
	c.hello("a", "alice")
	if err := c.ws.WriteMessage(websocket.BinaryMessage, []byte(`{"type":"color","color":"#ffffff"}`)); err != nil {
		t.Fatal(err)
	}
	if e := c.nextOf(wire.TypeError); e.Code != wire.CodeBadJSON {
		t.Fatalf("got %+v, want bad_json", e)
	}
	c.send(wire.Ping{Type: wire.TypePing, T: 1})
	c.nextOf(wire.TypePong)
}

func TestControlCharactersAreStrippedFromNamesEndToEnd(t *testing.T) {
	t.Parallel()
	s := startHub(t, hub.Config{Room: "lobby"})
	a := dial(t, s)
	a.hello("a", "alice")
	m := dial(t, s)
	w := m.hello("m\x00\x1b[31m", "  ev\x00il\u202e\u200b\n\x07name\x1b[2J  ")
	j := a.nextOf(wire.TypeJoin)
	for _, got := range []string{w.ID, j.Peer.ID, j.Peer.Name} {
		for _, r := range got {
			if r < 0x20 || r == 0x7f || r == '\u202e' || r == '\u200b' {
				t.Fatalf("%q reached the room with control character %U", got, r)
			}
		}
	}
	if j.Peer.Name != "evilname[2J" || j.Peer.ID != "m[31m" {
		t.Fatalf("join shows %+v, want name evilname[2J and id m[31m", j.Peer)
	}
	m.send(wire.SetColor{Type: wire.TypeColor, Color: "#00ff00"})
	if c := a.nextOf(wire.TypeColor); c.Name != "evilname[2J" {
		t.Fatalf("colour credited to %q", c.Name)
	}
}

func TestHubProvesThePassphraseToAClientThatProvedIt(t *testing.T) {
	t.Parallel()
	s := startHub(t, hub.Config{Room: "lobby", Passphrase: testPassphrase, Host: "h\x07ost\u200b", HostID: "hid"})
	mine := wire.NewNonce()
	c, nonce := challenged(t, s)
	// The client's own challenge first: nothing is told before the client
	// has proved itself.
	c.send(wire.Challenge{Type: wire.TypeChallenge, Nonce: mine})
	c.send(wire.Auth{Type: wire.TypeAuth, MAC: wire.Answer(testKey, nonce, mine, s.endpoint())})
	p := c.next()
	if p.Type != wire.TypeAuth || !wire.CheckProof(testKey, nonce, mine, s.endpoint(), p.MAC) {
		t.Fatalf("got %+v, want the hub's proof of our nonce", p)
	}
	// The proof is not the client's answer on the same connection (no reflection).
	if wire.CheckAnswer(testKey, nonce, mine, s.endpoint(), p.MAC) {
		t.Fatal("the hub's proof equals a client's answer to the same nonce")
	}
	w := c.hello("a", "alice")
	if w.HostID != "hid" || w.Host != "host" {
		t.Fatalf("welcome names the host %q (id %q), want the cleaned name and its id", w.Host, w.HostID)
	}

	// The challenge may also follow the answer.
	c2, nonce := challenged(t, s)
	c2.send(wire.Auth{Type: wire.TypeAuth, MAC: wire.Answer(testKey, nonce, "", s.endpoint())})
	c2.send(wire.Challenge{Type: wire.TypeChallenge, Nonce: mine})
	if p := c2.next(); p.Type != wire.TypeAuth || !wire.CheckProof(testKey, nonce, mine, s.endpoint(), p.MAC) {
		t.Fatalf("got %+v, want the hub's proof", p)
	}

	// A client that has not proved itself gets no proof, only refusal.
	c3, _ := challenged(t, s)
	c3.send(wire.Challenge{Type: wire.TypeChallenge, Nonce: mine})
	c3.send(wire.Auth{Type: wire.TypeAuth, MAC: wire.Answer(wrongKey, mine, mine, s.endpoint())})
	if e := c3.next(); e.Type != wire.TypeError || e.Code != wire.CodeUnauthorized {
		t.Fatalf("got %+v, want unauthorized and no proof", e)
	}
}

func TestBadClientChallengesGetAClearError(t *testing.T) {
	t.Parallel()
	locked := startHub(t, hub.Config{Room: "lobby", Passphrase: testPassphrase})
	for _, tc := range []struct{ name, nonce string }{
		{"empty", ""},
		{"short", "abcd"},
		{"upper case", strings.Repeat("AB", wire.NonceLen)},
		{"not hex", strings.Repeat("zz", wire.NonceLen)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := challenged(t, locked)
			c.send(wire.Challenge{Type: wire.TypeChallenge, Nonce: tc.nonce})
			if e := c.next(); e.Type != wire.TypeError || e.Code != wire.CodeBadType || !strings.Contains(e.Message, "nonce") {
				t.Fatalf("got %+v, want bad_type about the nonce", e)
			}
		})
	}
	t.Run("twice", func(t *testing.T) {
		c, _ := challenged(t, locked)
		c.send(wire.Challenge{Type: wire.TypeChallenge, Nonce: wire.NewNonce()})
		c.send(wire.Challenge{Type: wire.TypeChallenge, Nonce: wire.NewNonce()})
		if e := c.next(); e.Type != wire.TypeError || e.Code != wire.CodeBadType {
			t.Fatalf("got %+v, want bad_type", e)
		}
	})
	// An open hub says at once that it is no room of a passphrase.
	open := startHub(t, hub.Config{Room: "lobby"})
	c := dial(t, open)
	c.send(wire.Challenge{Type: wire.TypeChallenge, Nonce: wire.NewNonce()})
	if e := c.next(); e.Type != wire.TypeError || e.Code != wire.CodeOpenRoom {
		t.Fatalf("got %+v, want open_room", e)
	}
	if code := c.closeCode(); code != websocket.ClosePolicyViolation {
		t.Fatalf("close code %d, want 1008", code)
	}
	// Both hubs serve everyone else as before.
	a := dial(t, open)
	a.hello("a", "alice")
	b, nonce := challenged(t, locked)
	b.send(wire.Auth{Type: wire.TypeAuth, MAC: wire.Answer(testKey, nonce, "", locked.endpoint())})
	b.hello("b", "bob")
}

// TestProtocol2AnswerGetsBadVersion: a client of protocol 2 answers the
// challenge unbound (HMAC of the nonce alone). Right or not, it is not
// admitted; when right, it is told to update rather than that its
// passphrase is wrong.
func TestProtocol2AnswerGetsBadVersion(t *testing.T) {
	t.Parallel()
	s := startHub(t, hub.Config{Room: "lobby", Passphrase: testPassphrase})
	c, nonce := challenged(t, s)
	c.send(wire.Auth{Type: wire.TypeAuth, MAC: wire.AuthMAC(testKey, nonce)})
	if e := c.next(); e.Type != wire.TypeError || e.Code != wire.CodeBadVersion || !strings.Contains(e.Message, "update huecast on this device") {
		t.Fatalf("got %+v, want bad_version", e)
	}
	if code := c.closeCode(); code != websocket.ClosePolicyViolation {
		t.Fatalf("close code %d, want 1008", code)
	}
	w, nonce := challenged(t, s)
	w.send(wire.Auth{Type: wire.TypeAuth, MAC: wire.AuthMAC(wrongKey, nonce)})
	if e := w.next(); e.Code != wire.CodeUnauthorized {
		t.Fatalf("a wrong protocol-2 answer got %+v, want unauthorized", e)
	}
	if st, _ := s.hub.State(t.Context()); len(st.Peers) != 0 {
		t.Fatalf("members %+v", st.Peers)
	}
}
