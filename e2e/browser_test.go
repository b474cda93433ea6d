package e2e

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/chromedp"
	"github.com/gorilla/websocket"
	"github.com/huecast/huecast/assets/web"
	"github.com/huecast/huecast/net/link"
	"github.com/huecast/huecast/net/peer"
	"github.com/huecast/huecast/net/wire"
)

// sameScreen is how fast a colour must reach every screen in the room.
const sameScreen = 1 * time.Second

// TestPagesAndHeadlessPeerShareTheColour runs a headless hub binary on
// 127.0.0.1 and drives two browser pages and one headless peer through it:
// colours both ways, the host marked, names, a hub restart, other origins,
// a second tab, and the page at phone size. The steps build on each other.
func TestPagesAndHeadlessPeerShareTheColour(t *testing.T) {
	browser := newBrowser(t)
	bin := buildBinary(t)
	host := start(t, bin, "--headless", "--no-mdns", "--host", "--listen", "127.0.0.1:0", "--name", "hosty")
	hubURL := host.await("hosting", event("hosting"))["url"].(string)
	host.await("host joined", event("joined"))
	pageURL, err := web.PageURL(hubURL)
	if err != nil {
		t.Fatal(err)
	}
	pat := start(t, bin, "--headless", "--no-mdns", "--join", hubURL, "--name", "pat")
	pat.await("pat joined", event("joined"))

	p1, p2 := newPage(t, browser), newPage(t, browser)
	top := t

	ok := t.Run("pages join and show who is here", func(t *testing.T) {
		p1, p2, pat := p1.in(t), p2.in(t), pat.in(t)
		p1.open(pageURL)
		p2.open(pageURL)
		// p1 names itself; the protocol has no rename, so it joins again.
		p1.do(chromedp.SendKeys(chromedp.ID("name"), "Ada\n"))
		pat.await("Ada joining", func(m map[string]any) bool { return m["event"] == "peer_joined" && m["name"] == "Ada" })
		p1.waitJoined()
		p2.waitJS("p2 lists Ada", `[...document.querySelectorAll('#peers li')].some(li => li.textContent === 'Ada')`, waitFor)
		got := eval[[]string](p1, `[...document.querySelectorAll('#peers li')].map(li => li.textContent)`)
		want := map[string]bool{"hostyhost": true, "pat": true, "Adayou": true}
		n := 0
		for _, g := range got {
			if want[g] {
				n++
			} else if !strings.HasPrefix(g, "guest-") {
				t.Errorf("peer list has %q", g)
			}
		}
		if n != len(want) || len(got) != 4 {
			t.Errorf("p1's peer list = %q, want hosty marked host, pat, Ada marked you, and p2 as a guest", got)
		}
		// In the window's words: package wire's.
		addr := strings.TrimSuffix(strings.TrimPrefix(pageURL, "http://"), "/")
		if s, want := p1.status(), wire.Capital(wire.Fill(wire.TextJoined, "host", "hosty", "addr", addr)); s != want {
			t.Errorf("status = %q, want %q", s, want)
		}
		if got := eval[string](p1, `document.getElementById('who-title').textContent`); got != wire.TextHereNow {
			t.Errorf("the list of who is here is headed %q, want %q as in the window", got, wire.TextHereNow)
		}
		if got := eval[string](p1, `localStorage.getItem('huecast.name')`); got != "Ada" {
			t.Errorf("stored name = %q", got)
		}
		id1, id2 := eval[string](p1, `localStorage.getItem('huecast.id')`), eval[string](p2, `localStorage.getItem('huecast.id')`)
		if len(id1) != 16 || id1 == id2 || eval[string](p1, `huecast.state.self`) != id1 {
			t.Errorf("peer ids %q and %q: want two random ids, kept and used", id1, id2)
		}
	})
	if !ok {
		return
	}

	ok = t.Run("a click in one page reaches the other page and the headless peer within 1s", func(t *testing.T) {
		p1, p2, pat := p1.in(t), p2.in(t), pat.in(t)
		const blue = "#1e90ff"
		// Timed from before the click, so chromedp's own steps count too.
		clicked := time.Now()
		p1.do(chromedp.Click(chromedp.CSS(`#palette button[data-color="` + blue + `"]`)))
		inPage := make(chan time.Duration, 1)
		go func() {
			// Not p2.waitJS: t.Fatal belongs to the test's goroutine.
			ctx, cancel := context.WithTimeout(p2.ctx, 2*sameScreen)
			defer cancel()
			_, err := chromedp.Run(ctx, chromedp.Poll[bool](circleIs(blue),
				chromedp.WithPollingInterval(5*time.Millisecond), chromedp.WithPollingTimeout(sameScreen)))
			if err != nil {
				inPage <- -1
				return
			}
			inPage <- time.Since(clicked)
		}()
		m := pat.awaitWithin(sameScreen, "blue at pat", colorEvent(blue))
		atPat := time.Since(clicked)
		if m["by"] != "Ada" {
			t.Errorf("pat's color event = %v, want by Ada", m)
		}
		d := <-inPage
		if d < 0 {
			t.Fatalf("page 2's circle did not turn %s within %v; status %q", blue, sameScreen, p2.status())
		}
		t.Logf("click → page 2's circle %v, → headless peer's stdout %v", d.Round(time.Millisecond), atPat.Round(time.Millisecond))
		if txt := eval[string](p2, `document.getElementById('colour-name').textContent + ' ' + document.getElementById('colour-hex').textContent + ' / ' + document.getElementById('set-by').textContent`); txt != "Blue #1e90ff / Set by Ada" {
			t.Errorf("page 2 says %q", txt)
		}
		p1.waitJS("p1 shows its own colour", circleIs(blue), sameScreen)
		if got := eval[string](p1, `document.getElementById('set-by').textContent`); got != "Set by you" {
			t.Errorf("page 1 says %q", got)
		}
		if got := eval[string](p1, `document.querySelector('#palette [aria-pressed="true"]').textContent`); got != "Blue" {
			t.Errorf("pressed button = %q", got)
		}
	})
	if !ok {
		return
	}

	ok = t.Run("a colour typed into the headless peer reaches both pages", func(t *testing.T) {
		p1, p2, pat := p1.in(t), p2.in(t), pat.in(t)
		const purple = "#800080"
		io.WriteString(pat.stdin, "purple\n")
		sent := time.Now()
		for i, p := range []*page{p1, p2} {
			p.waitJS(fmt.Sprintf("page %d purple", i+1), circleIs(purple), sameScreen)
		}
		t.Logf("headless → both pages %v", time.Since(sent).Round(time.Millisecond))
		if got := eval[string](p2, `document.getElementById('set-by').textContent`); got != "Set by pat" {
			t.Errorf("page 2 says %q", got)
		}
		// Keys 1–6 pick the palette's colours, as in the window.
		p2.do(chromedp.KeyEvent("4"))
		pat.awaitWithin(sameScreen, "red at pat", colorEvent("#ff0000"))
		// A custom colour from the page's colour input.
		const teal = "#008080"
		p2.do(chromedp.Evaluate[chromedp.Void](`(() => { const c = document.getElementById('custom'); c.value = '` + teal + `'; c.dispatchEvent(new Event('change')); })()`))
		pat.awaitWithin(sameScreen, "teal at pat", colorEvent(teal))
		p1.waitJS("page 1 teal", circleIs(teal), sameScreen)
		// Named as the window names it: "Teal".
		if got := eval[string](p1, `document.getElementById('colour-name').textContent`); got != wire.ColorName(teal) || got == "" {
			t.Errorf("name of a custom colour = %q, want %q as the window says", got, wire.ColorName(teal))
		}
	})
	if !ok {
		return
	}

	ok = t.Run("pages reconnect after the hub restarts and keep the colour", func(t *testing.T) {
		p1, p2, pat, host := p1.in(t), p2.in(t), pat.in(t), host.in(t)
		const orange = "#ffa500"
		p2.do(chromedp.Click(chromedp.CSS(`#palette button[data-color="` + orange + `"]`)))
		pat.awaitWithin(sameScreen, "orange at pat", colorEvent(orange))
		p1.waitJS("page 1 orange", circleIs(orange), sameScreen)
		orangeAt := eval[string](p1, `huecast.proto.stampText(huecast.state.stamp)`)
		// Only the pages may carry the colour over: the headless peer leaves.
		io.WriteString(pat.stdin, "quit\n")
		host.await("pat leaving", func(m map[string]any) bool { return m["event"] == "peer_left" && m["name"] == "pat" })
		host.stop()
		for i, p := range []*page{p1, p2} {
			p.waitJS(fmt.Sprintf("page %d reconnecting", i+1),
				`!huecast.state.joined && document.getElementById('status').dataset.state === 'reconnecting'`, waitFor)
		}
		if s := p1.status(); !strings.Contains(s, "trying again") {
			t.Errorf("status while the hub is away = %q", s)
		}
		// A colour picked while away is sent once back.
		const yellow = "#ffd700"
		p1.do(chromedp.Click(chromedp.CSS(`#palette button[data-color="` + yellow + `"]`)))
		if s := p1.status(); !strings.Contains(s, "Yellow #ffd700 will be sent once connected") {
			t.Errorf("status after a pick while away = %q", s)
		}

		addr := strings.TrimSuffix(strings.TrimPrefix(hubURL, "ws://"), "/ws")
		host2 := start(top, bin, "--headless", "--no-mdns", "--host", "--listen", addr, "--name", "hosty")
		host2 = host2.in(t) // lives on for the steps below
		if u := host2.await("hosting again", event("hosting"))["url"]; u != hubURL {
			t.Fatalf("restarted hub at %v, want %s", u, hubURL)
		}
		p2.waitJoined()
		if c := eval[string](p2, `huecast.state.color`); c != orange && c != yellow {
			t.Errorf("page 2 rejoined showing %s, want orange kept (or yellow, page 1's pick)", c)
		}
		p1.waitJoined()
		// The new hub started green at the zero stamp. Only the pages'
		// hellos can have brought a colour: page 1's yellow, picked after
		// orange and stamped then, wins whichever hello came first.
		var yellowAt wire.Stamp
		for i, p := range []*page{p1, p2} {
			p.waitJS(fmt.Sprintf("page %d yellow", i+1), circleIs(yellow), waitFor)
			at, err := wire.ParseStamp(eval[string](p, `huecast.proto.stampText(huecast.state.stamp)`))
			if i == 0 {
				yellowAt = at
			}
			if err != nil || at != yellowAt {
				t.Errorf("page %d at %v (%v), page 1 at %v", i+1, at, err, yellowAt)
			}
		}
		if o, err := wire.ParseStamp(orangeAt); err != nil || !yellowAt.After(o) || yellowAt.ID != eval[string](p1, `huecast.state.id`) {
			t.Errorf("yellow at %v, orange at %s (%v): want yellow stamped by page 1 after orange", yellowAt, orangeAt, err)
		}
		if st := hubState(t, pageURL); st.Color != yellow || st.Stamp != yellowAt {
			t.Errorf("restarted hub: %s at %v, want %s at %v", st.Color, st.Stamp, yellow, yellowAt)
		}
		if s := p2.status(); !strings.HasPrefix(s, "Joined ") {
			t.Errorf("status after the restart = %q", s)
		}
	})
	if !ok {
		return
	}

	t.Run("a page from another origin is refused, the hub's own page under another name is not", func(t *testing.T) {
		wsURL := hubURL
		other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprintf(w, `<!doctype html><title>elsewhere</title><script>
window.result = 'pending';
const ws = new WebSocket(%q);
ws.onopen = () => { window.result = 'open'; ws.send(JSON.stringify({type: 'hello', id: 'evil', name: 'evil', room: 'lobby'})); };
ws.onclose = (e) => { if (window.result === 'pending') window.result = 'refused ' + e.code; };
</script>`, wsURL)
		}))
		defer other.Close()

		evil := newPage(t, browser)
		evil.do() // opens the tab, so that the subscription below outlives its timeout
		hctx, hcancel := context.WithTimeout(evil.ctx, waitFor)
		defer hcancel()
		logs := chromedp.Events(hctx, cdplog.EntryAdded)
		evil.do(chromedp.Navigate(other.URL))
		evil.waitJS("the socket settles", `window.result !== 'pending'`, waitFor)
		if got := eval[string](evil, `window.result`); got != "refused 1006" {
			t.Fatalf("a page from %s: WebSocket %s, want refused", other.URL, got)
		}
		// The browser hides the status from the page; its log says it.
		want := "WebSocket connection to '" + wsURL + "' failed: Error during WebSocket handshake: Unexpected response code: 403"
		for ev, err := range logs {
			if err != nil {
				t.Errorf("the browser logged no %q: %v", want, err)
				break
			}
			if ev.Entry.Text == want {
				break
			}
		}
		st := hubState(t, pageURL)
		for _, p := range st.Peers {
			if p.ID == "evil" {
				t.Errorf("the refused page joined the room: %+v", st.Peers)
			}
		}

		// The same hub reached as localhost is another origin, but the
		// page and its WebSocket both come from it.
		local := newPage(t, browser)
		local.open(strings.Replace(pageURL, "127.0.0.1", "localhost", 1))
	})

	t.Run("a second tab takes over without the two fighting", func(t *testing.T) {
		p1 := p1.in(t)
		p1b := p1.tab()
		p1b.open(pageURL)
		p1.waitJS("first tab steps aside", `document.getElementById('status').dataset.state === 'elsewhere' && huecast.state.stopped`, waitFor)
		if got := eval[string](p1b, `huecast.state.self`); got != eval[string](p1, `huecast.state.id`) {
			t.Errorf("second tab joined as %q, want the same stored id", got)
		}
		p1.do(chromedp.Click(chromedp.CSS(`#status button`)))
		p1.waitJoined()
		p1b.waitJS("second tab steps aside", `document.getElementById('status').dataset.state === 'elsewhere'`, waitFor)
	})

	t.Run("the page fits a 360x740 phone in light and dark", func(t *testing.T) {
		phone := newPage(t, browser)
		phone.do(chromedp.EmulateViewport(360, 740, chromedp.EmulateMobile, chromedp.EmulateTouch))
		phone.open(pageURL)
		if w := eval[int](phone, `window.innerWidth`); w != 360 {
			t.Fatalf("viewport is %d wide, want 360", w)
		}
		check := func(scheme, bg string) {
			over := eval[int](phone, `document.documentElement.scrollWidth - document.documentElement.clientWidth`)
			shot := phone.screenshot("page-360x740-" + scheme + ".png")
			if over > 0 {
				t.Errorf("%s: %d px of horizontal scroll at 360 px (see %s)", scheme, over, shot)
			}
			if got := eval[string](phone, `getComputedStyle(document.body).backgroundColor`); got != bg {
				t.Errorf("%s: body background %s, want %s", scheme, got, bg)
			}
		}
		phone.do(setColorScheme("light"))
		check("light", rgb("#fafafa"))
		// Long names must wrap, not widen the page.
		long := strings.Repeat("W", wire.MaxNameLen)
		ws, _, err := websocket.DefaultDialer.Dial(hubURL, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer ws.Close()
		if err := ws.WriteJSON(wire.Hello{Type: wire.TypeHello, V: wire.Version, ID: "long", Name: long, Room: "lobby"}); err != nil {
			t.Fatal(err)
		}
		phone.waitJS("the long name listed", `[...document.querySelectorAll('#peers li')].some(li => li.textContent === '`+long+`')`, waitFor)
		phone.do(chromedp.Evaluate[chromedp.Void](`window.scrollTo(0, document.body.scrollHeight)`))
		phone.screenshot("page-360x740-light-bottom.png")
		phone.do(chromedp.Evaluate[chromedp.Void](`window.scrollTo(0, 0)`))
		phone.do(setColorScheme("dark"))
		check("dark", rgb("#121212"))
		// Touch targets: every button and input shown at least 44 px tall
		// (the passphrase form is hidden in an open room), and buttons
		// named by their colour for screen readers.
		small := eval[[]string](phone, `[...document.querySelectorAll('button, input')].filter(e => e.getClientRects().length > 0 && e.getBoundingClientRect().height < 44).map(e => e.outerHTML)`)
		if len(small) > 0 {
			t.Errorf("touch targets under 44 px: %q", small)
		}
		names := eval[[]string](phone, `[...document.querySelectorAll('#palette button')].map(b => b.textContent)`)
		for i, s := range wire.Palette {
			if i >= len(names) || names[i] != s.Name {
				t.Errorf("palette buttons %q, want %v", names, wire.Palette)
				break
			}
		}
	})
}

// TestPageFollowsTheRoomToItsNewHost runs a hub and peers in this process:
// the page joins the hub, learns from the peer list where a member would
// host, says so when the hub goes, stays put while a peer answers there
// without hosting, and moves to that address once a peer hosts the room
// there, carrying its id and colour.
func TestPageFollowsTheRoomToItsNewHost(t *testing.T) {
	browser := newBrowser(t)

	hubA := serveHub(t, "127.0.0.1:0", "anna")
	addrB := freeAddr(t) // nobody listens there yet
	urlB := "http://" + addrB + "/"

	// bo, a native member, tells the room it would host at addrB.
	bo := link.New(link.Config{
		Target: func(context.Context) (string, error) { return "ws://" + hubA.addr + "/ws", nil },
		ID:     "bo", Name: "bo", Room: "lobby", Addr: addrB,
	})
	ctx, cancel := context.WithCancel(context.Background())
	boDone := make(chan struct{})
	go func() { _ = bo.Run(ctx); close(boDone) }()
	go func() {
		for range bo.Events() {
		}
	}()
	stopBo := func() { cancel(); <-boDone }
	t.Cleanup(stopBo)

	p := newPage(t, browser)
	p.open("http://" + hubA.addr + "/")
	p.waitJS("page knows bo's address", `huecast.state.peers.some(p => p.addr)`, waitFor)
	id := eval[string](p, `huecast.state.id`)
	p.do(chromedp.Click(chromedp.CSS(`#palette button[data-color="#ffa500"]`)))
	p.waitJS("orange", circleIs("#ffa500"), sameScreen)

	// The hub goes, and bo with it (no leave: the hub is gone), so that
	// only the page can carry orange to the new hub.
	hubA.stop()
	stopBo()
	// Nobody listens at bo's address yet: the page says where the room may be.
	mayHaveMoved := fmt.Sprintf(`!!document.querySelector('#status a[href=%q]') && document.getElementById('status').textContent.includes(%q)`,
		urlB, "may have moved to "+urlB)
	p.waitJS("the page names the room's possible new home", mayHaveMoved, waitFor)
	p.screenshot("page-room-may-have-moved.png")

	// A peer listens at bo's address but hosts nothing: it is still trying
	// to join a hub that is not there. Answering is not hosting.
	stopWaiting, listening := runPeer(t, peer.Config{ID: "bo", Name: "bo", Room: "lobby", Listen: addrB, Join: "ws://127.0.0.1:1/ws"})
	if info := peerInfo(t, urlB, listening); info.Hosting || info.Room != "lobby" {
		t.Fatalf("the waiting peer says %+v", info)
	}
	probes := eval[int](p, `huecast.state.probes`)
	p.waitJS("the page asks bo's address twice more", fmt.Sprintf(`huecast.state.probes >= %d`, probes+2), waitFor)
	if href := eval[string](p, `location.href`); href != "http://"+hubA.addr+"/" {
		t.Fatalf("the page went to %s, where nobody hosts the room", href)
	}
	p.waitJS("the page still names the room's possible new home", mayHaveMoved, waitFor)
	stopWaiting()

	// Now bo hosts the room there.
	runPeer(t, peer.Config{ID: "bo", Name: "bo", Room: "lobby", Listen: addrB, Host: true})
	p.waitJS("the page moved to bo's hub", fmt.Sprintf(`location.href === %q && !!window.huecast && huecast.state.joined`, urlB), waitFor)
	p.waitJS("orange kept", circleIs("#ffa500"), sameScreen)
	if s := p.status(); !strings.Contains(s, "moved here from http://"+hubA.addr+"/") {
		t.Errorf("status after the move = %q", s)
	}
	p.screenshot("page-moved.png")
	if got := eval[string](p, `huecast.state.self`); got != id {
		t.Errorf("joined bo's hub as %q, want the same id %q", got, id)
	}
	if st := hubState(t, urlB); st.Color != "#ffa500" || st.Stamp.IsZero() {
		t.Errorf("bo's hub: %+v; want orange and its stamp, brought by the page", st)
	}
}

// TestPageFollowsTheRoomWhenItsHostIsKilled: the real binaries. anna hosts,
// bo joins her and listens where he would host; a page opened from anna's
// hub sets a colour; anna is killed without a word. bo takes over as the
// room elects him, and the page finds him and moves there, colour and id
// kept.
func TestPageFollowsTheRoomWhenItsHostIsKilled(t *testing.T) {
	browser := newBrowser(t)
	bin := buildBinary(t)
	anna := start(t, bin, "--headless", "--no-mdns", "--host", "--listen", "127.0.0.1:0", "--name", "anna")
	urlA := anna.await("anna hosting", event("hosting"))["url"].(string)
	// On loopback bo must listen on 127.0.0.1 too: the address he tells the
	// room is his listener's.
	bo := start(t, bin, "--headless", "--no-mdns", "--join", urlA, "--listen", "127.0.0.1:0", "--name", "bo")
	bo.await("bo joined", event("joined"))
	pageA, err := web.PageURL(urlA)
	if err != nil {
		t.Fatal(err)
	}

	p := newPage(t, browser)
	p.open(pageA)
	addrB := eval[string](p, `(huecast.state.peers.find(p => p.name === 'bo') || {}).addr || ''`)
	if !strings.HasPrefix(addrB, "127.0.0.1:") {
		t.Fatalf("the page knows bo's address as %q, want his loopback listener", addrB)
	}
	pageB := "http://" + addrB + "/"
	id := eval[string](p, `huecast.state.id`)
	const orange, purple = "#ffa500", "#800080"
	p.do(chromedp.Click(chromedp.CSS(`#palette button[data-color="` + orange + `"]`)))
	bo.awaitWithin(sameScreen, "orange at bo", colorEvent(orange))

	killed := time.Now()
	if err := anna.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = anna.cmd.Wait() // "signal: killed"

	// bo says every step, in this order.
	bo.await("bo disconnected", event("disconnected"))
	if m := bo.await("bo searching", event("searching")); m["reason"] != "host_lost" || m["room"] != "lobby" {
		t.Errorf("searching = %v", m)
	}
	if m := bo.await("bo's host_changed", event("host_changed")); m["name"] != "bo" || m["reason"] != "host_lost" || m["url"] != "ws://"+addrB+"/ws" {
		t.Errorf("host_changed = %v, want bo elected at %s", m, addrB)
	}
	if m := bo.await("bo hosting", event("hosting")); m["url"] != "ws://"+addrB+"/ws" {
		t.Errorf("hosting = %v", m)
	}
	if m := bo.await("bo rejoined", event("joined")); m["color"] != orange || m["host"] != "bo" {
		t.Errorf("bo's welcome from his own hub = %v, want orange kept", m)
	}
	t.Logf("kill → bo hosting and joined: %v", time.Since(killed).Round(time.Millisecond))

	p.waitJS("the page moved to bo's hub", fmt.Sprintf(`location.href === %q && !!window.huecast && huecast.state.joined`, pageB), waitFor)
	t.Logf("kill → the page joined bo's hub: %v", time.Since(killed).Round(time.Millisecond))
	p.screenshot("page-followed-killed-host.png")
	p.waitJS("orange kept", circleIs(orange), sameScreen)
	if s := p.status(); !strings.Contains(s, "moved here from "+pageA) || !strings.Contains(s, "joined bo's hub at") {
		t.Errorf("status after the move = %q", s)
	}
	if got := eval[string](p, `huecast.state.self`); got != id {
		t.Errorf("joined bo's hub as %q, want the same id %q", got, id)
	}
	if got := eval[string](p, `document.getElementById('set-by').textContent`); got != "Set by you" {
		t.Errorf("the page says %q of the orange it set before the move", got)
	}
	if got := eval[[]string](p, `[...document.querySelectorAll('#peers li')].map(li => li.textContent)`); len(got) != 2 || got[0] != "bohost" {
		t.Errorf("who is here after the move: %q, want bo marked host and the page", got)
	}
	// The room goes on: a colour typed into bo reaches the page.
	io.WriteString(bo.stdin, "purple\n")
	p.waitJS("purple from bo", circleIs(purple), sameScreen)
}

// runPeer runs a peer in this process until the returned stop or the test's
// end, dropping its events. It serves the page, as main's peers do.
func runPeer(t *testing.T, cfg peer.Config) (stop func(), listening <-chan struct{}) {
	t.Helper()
	if cfg.Page == nil {
		cfg.Page = web.Handler()
	}
	p := peer.New(cfg)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	first := make(chan struct{})
	go func() {
		// A peer opens its listener before its first event.
		for range p.Events() {
			select {
			case <-first:
			default:
				close(first)
			}
		}
	}()
	go func() {
		if err := p.Run(ctx); err != nil {
			t.Errorf("peer %s: %v", cfg.ID, err)
		}
		close(done)
	}()
	stopped := false
	stop = func() {
		if !stopped {
			stopped = true
			cancel()
			<-done
		}
	}
	t.Cleanup(stop)
	return stop, first
}

// TestPageBacksOffAsTheNativeLinkDoes compares the page's reconnect delays
// with net/link's, attempt by attempt: the same range, 1 s doubling to 5 s
// with ±50% jitter, never above 5 s.
func TestPageBacksOffAsTheNativeLinkDoes(t *testing.T) {
	browser := newBrowser(t)
	h := serveHub(t, "127.0.0.1:0", "anna")
	p := newPage(t, browser)
	p.open("http://" + h.addr + "/")
	const samples = 2000
	const first, most = time.Second, 5 * time.Second
	base := first
	for attempt := 1; attempt <= 6; attempt++ {
		if attempt > 1 && base < most {
			base *= 2
		}
		// Both wait base ±50%, never above most. The least and greatest of
		// 2000 uniform samples over base's range land within base/50 of its
		// ends but for a chance of e^-40; the native link is held to the same.
		lo, hi, slack := min(base/2, most), min(base*3/2, most), base/50
		within := func(who string, gotLo, gotHi time.Duration) {
			if gotLo < lo-time.Millisecond || gotLo > lo+slack || gotHi > hi+time.Millisecond || gotHi < hi-slack {
				t.Errorf("attempt %d: %s waits %v–%v, want %v–%v", attempt, who, gotLo, gotHi, lo, hi)
			}
		}
		js := eval[[]float64](p, fmt.Sprintf(`(() => { const a = []; for (let i = 0; i < %d; i++) a.push(huecast.backoff(%d)); return [Math.min(...a), Math.max(...a)]; })()`, samples, attempt))
		within("the page", time.Duration(js[0]*float64(time.Millisecond)), time.Duration(js[1]*float64(time.Millisecond)))
		nLo, nHi := time.Hour, time.Duration(0)
		for range samples {
			d := link.SocketIOBackoff(attempt)
			nLo, nHi = min(nLo, d), max(nHi, d)
		}
		within("the native link", nLo, nHi)
	}
}

func setColorScheme(scheme string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}},
		})
		return err
	})
}
