package ui

import (
	"bytes"
	"image"
	"image/png"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
	"rsc.io/qr"

	"github.com/huecast/huecast/net/link"
	"github.com/huecast/huecast/net/peer"
	"github.com/huecast/huecast/net/wire"
)

func TestThePagesAddressShowsWhileThePeerKnowsTheHub(t *testing.T) {
	hosting := peer.Hosting{URL: hubURL, Room: "lobby"}
	ownJoin := link.Joined{URL: "ws://127.0.0.1:7788/ws", ID: ann.ID, Room: "lobby", Peers: []wire.Peer{ann}, Host: "ann", HostID: ann.ID}
	joined := link.Joined{URL: "ws://10.0.0.3:7790/ws", ID: ann.ID, Room: "lobby", Peers: []wire.Peer{bob, ann}, Host: "bob", HostID: bob.ID}
	lost := link.Disconnected{URL: joined.URL, Attempt: 1, Reason: "the connection was lost"}
	tests := []struct {
		name string
		evs  []link.Event
		want string // "" when hidden
	}{
		{"nothing known yet", nil, ""},
		{"hosting, before its own link joins", []link.Event{hosting}, "http://192.168.1.20:7788/"},
		// The host's own link dials loopback; phones need the LAN address.
		{"hosting and joined", []link.Event{hosting, ownJoin}, "http://192.168.1.20:7788/"},
		{"hosting, own link reconnecting", []link.Event{hosting, ownJoin, lost}, "http://192.168.1.20:7788/"},
		{"joined another's hub", []link.Event{joined}, "http://10.0.0.3:7790/"},
		{"the hub lost", []link.Event{joined, lost}, ""},
		{"the room moved to another hub", []link.Event{joined, lost,
			peer.Searching{Room: "lobby", Reason: peer.ReasonHostLost},
			peer.HostChanged{URL: "ws://10.0.0.7:7788/ws", ID: cat.ID, Name: "cat", Reason: peer.ReasonHostLost},
			link.Joined{URL: "ws://10.0.0.7:7788/ws", ID: ann.ID, Room: "lobby", Peers: []wire.Peer{cat, ann}, Host: "cat", HostID: cat.ID}},
			"http://10.0.0.7:7788/"},
		{"this peer took over", []link.Event{joined, lost,
			peer.HostChanged{URL: "ws://10.0.0.4:7788/ws", ID: ann.ID, Name: "ann", Reason: peer.ReasonHostLost},
			peer.Hosting{URL: "ws://10.0.0.4:7788/ws", Room: "lobby"}},
			"http://10.0.0.4:7788/"},
		{"stopped", []link.Event{hosting, ownJoin, peer.Stopped{Err: errTest("gone")}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, Settings{Name: "ann", Room: "lobby"})
			h.send(tt.evs...)
			got := ""
			if h.u.phoneRow.Visible() {
				got = h.u.pageLink.Text
				if h.u.pageLink.URL == nil || h.u.pageLink.URL.String() != got {
					t.Errorf("link text %q goes to %v", got, h.u.pageLink.URL)
				}
			}
			if got != tt.want {
				t.Fatalf("the window shows %q for phones, want %q", got, tt.want)
			}
		})
	}
}

func TestRestartForgetsThePagesAddress(t *testing.T) {
	h := newHarness(t, Settings{Name: "ann", Room: "lobby"})
	h.send(link.Joined{URL: "ws://10.0.0.3:7790/ws", ID: ann.ID, Room: "lobby", Peers: []wire.Peer{ann}, Host: "bob", HostID: bob.ID})
	if !h.u.phoneRow.Visible() {
		t.Fatal("no page address once joined")
	}
	h.u.join("10.0.0.9:7788")
	h.restarted()
	if h.u.phoneRow.Visible() {
		t.Fatalf("still shows %q after leaving that hub", h.u.pageLink.Text)
	}
}

// TestThePhoneDialogShowsAQRCodeOfThePage taps the page's address, and
// reads the QR code the dialog shows twice over: from the image it holds,
// and from the window as rendered, with a QR decoder that knows nothing of
// the library that drew it.
func TestThePhoneDialogShowsAQRCodeOfThePage(t *testing.T) {
	const want = "http://192.168.1.20:7788/"
	h := newHarness(t, Settings{Name: "ann", Room: "lobby"})
	h.send(peer.Hosting{URL: hubURL, Room: "lobby"},
		link.Joined{URL: "ws://127.0.0.1:7788/ws", ID: ann.ID, Room: "lobby", Color: "#008000", Peers: []wire.Peer{ann, bob}, Host: "ann", HostID: ann.ID})
	// On the text: a tap beside it does nothing.
	link := h.u.pageLink.Size()
	test.TapAt(h.u.pageLink, fyne.NewPos(link.Width/2, link.Height/2))
	if h.u.phoneQR == nil {
		t.Fatal("tapping the address opened no QR code")
	}
	img, err := png.Decode(bytes.NewReader(h.u.phoneQR.Resource.Content()))
	if err != nil {
		t.Fatalf("the QR code is not a PNG: %v", err)
	}
	code, err := qr.Encode(want, qr.M)
	if err != nil {
		t.Fatal(err)
	}
	side := (code.Size + 8) * qrScale // four quiet modules each side
	if img.Bounds() != image.Rect(0, 0, side, side) {
		t.Errorf("QR image %v, want %d×%d", img.Bounds(), side, side)
	}
	if got := decodeQR(t, img); got != want {
		t.Errorf("the QR image reads %q, want %q", got, want)
	}
	shown := h.u.phoneQR.Size()
	if int(shown.Width) != side || int(shown.Height) != side {
		t.Errorf("the QR code is drawn %v, want %d×%d: one screen pixel per image pixel", shown, side, side)
	}
	shot := h.u.win.Canvas().Capture()
	if got := decodeQR(t, shot); got != want {
		t.Errorf("the window as rendered reads %q, want %q", got, want)
	}
	test.AssertRendersToImage(t, "phone.png", h.u.win.Canvas())
	h.u.app.Clipboard().SetContent("")
	test.Tap(h.u.phoneCopy)
	if got := h.u.app.Clipboard().Content(); got != want {
		t.Errorf("Copy address copied %q, want %q", got, want)
	}
}

func TestThePhoneDialogWithoutAHubSaysWhy(t *testing.T) {
	h := newHarness(t, Settings{Name: "ann", Room: "lobby"})
	h.u.showPhone()
	if h.u.phoneQR != nil {
		t.Fatal("a QR code with no hub to point at")
	}
	test.AssertRendersToMarkup(t, "phone_none.xml", h.u.win.Canvas())
}

func TestLoopbackPages(t *testing.T) {
	for s, want := range map[string]bool{
		"http://127.0.0.1:7788/":    true,
		"http://[::1]:7788/":        true,
		"http://localhost:7788/":    true,
		"http://192.168.1.20:7788/": false,
		"http://huecast.lan:7788/":  false,
	} {
		if got := loopback(s); got != want {
			t.Errorf("loopback(%q) = %v", s, got)
		}
	}
}

func decodeQR(t *testing.T, img image.Image) string {
	t.Helper()
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, nil)
	if err != nil {
		t.Fatalf("no QR code found: %v", err)
	}
	return res.GetText()
}
