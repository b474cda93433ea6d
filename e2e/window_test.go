package e2e

import (
	"encoding/json"
	"errors"
	"image"
	"image/draw"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"github.com/huecast/huecast/e2e/netns"
)

const (
	// syncWithin is the README's promise: a click in one window shows in the
	// others within 2 s.
	syncWithin = 2 * time.Second
	// screenW and screenH hold two 640×480 windows side by side.
	screenW, screenH = 1320, 500
	gap              = 40 // between the windows, so the screenshot shows two
	startGreen       = "#008000"
	// minDiameter tells the circle from a colour button: wider than any.
	minDiameter = 150
	// docsShot is the README's picture; HUECAST_UPDATE_SCREENSHOT=1 rewrites it.
	docsShot = "../docs/two-windows.png"
)

// hostFor starts a headless host on loopback and returns its hub URL.
func hostFor(t *testing.T, bin string) (*netns.Proc, string) {
	t.Helper()
	host := netns.Start(t, exec.Command(bin, "--headless", "--state", "-", "--no-mdns", "--host", "--listen", "127.0.0.1:0", "--name", "hosty"))
	line, err := host.WaitLine(waitFor, netns.Contains(`"event":"hosting"`))
	if err != nil {
		t.Fatal(err)
	}
	var ev struct{ URL string }
	if err := json.Unmarshal([]byte(line), &ev); err != nil || ev.URL == "" {
		t.Fatalf("hosting line %q: %v", line, err)
	}
	return host, ev.URL
}

// windowed starts a windowed peer named name that joins url.
func windowed(t *testing.T, x *xserver, bin, name, url string) *netns.Proc {
	t.Helper()
	cmd := exec.Command(bin, "--no-mdns", "--join", url, "--name", name)
	cmd.Env = x.env(filepath.Join(t.TempDir(), name))
	return netns.Start(t, cmd)
}

// waitShot captures win until ok accepts the picture, and returns it; it
// fails the test after within, saving the last picture as name.
func waitShot(t *testing.T, x *xserver, win, name string, within time.Duration, ok func(image.Image) bool) image.Image {
	t.Helper()
	deadline := time.Now().Add(within)
	var img image.Image
	var err error
	for {
		img, err = x.shot(win)
		if err == nil && ok(img) {
			return img
		}
		if time.Now().After(deadline) {
			break
		}
		time.Sleep(xPoll) // polling the screen, with a bound
	}
	if img != nil {
		t.Logf("last screenshot: %s", save(t, name, img))
	}
	t.Fatalf("%s: not as expected within %v (capture error: %v)", name, within, err)
	return nil
}

func TestWindowsShareAClickWithinTwoSeconds(t *testing.T) {
	requireX(t)
	if err := os.RemoveAll(windowArtifacts); err != nil {
		t.Fatal(err)
	}
	bin := buildWindowBinary(t)
	x := startX(t, screenW, screenH)
	host, url := hostFor(t, bin)

	alice := windowed(t, x, bin, "alice", url)
	bob := windowed(t, x, bin, "bob", url)
	joined := map[string]bool{}
	if _, err := host.WaitLine(waitFor, func(l string) bool {
		for _, who := range []string{"alice", "bob"} {
			if strings.Contains(l, `"peer_joined"`) && strings.Contains(l, `"name":"`+who+`"`) {
				joined[who] = true
			}
		}
		return len(joined) == 2
	}); err != nil {
		t.Fatalf("alice and bob did not both join (only %v): %v", joined, err)
	}
	w1, w2 := x.window(alice.PID()), x.window(bob.PID())
	if err := x.move(w1, 0, 0); err != nil {
		t.Fatal(err)
	}
	if err := x.move(w2, 640+gap, 0); err != nil {
		t.Fatal(err)
	}

	green, orange := hexRGBA(startGreen), hexRGBA("#ffa500")
	hasCircle := func(img image.Image) bool { _, ok := circleCentre(img, green, minDiameter); return ok }
	before1 := waitShot(t, x, w1, "1-alice-before.png", windowWait, hasCircle)
	before2 := waitShot(t, x, w2, "1-bob-before.png", windowWait, hasCircle)
	save(t, "1-alice-before.png", before1)
	save(t, "1-bob-before.png", before2)
	centre2, _ := circleCentre(before2, green, minDiameter)
	centre1, _ := circleCentre(before1, green, minDiameter)
	button, n := patchCentre(before1, orange)
	if n < 500 {
		t.Fatalf("no orange button in alice's window (%d orange pixels); see %s", n, filepath.Join(windowArtifacts, "1-alice-before.png"))
	}
	t.Logf("bob's circle centre %v; alice's orange button at %v (%d px)", centre2, button, n)

	clicked := time.Now()
	if err := x.click(w1, button); err != nil {
		t.Fatal(err)
	}
	var took time.Duration
	after2 := waitShot(t, x, w2, "2-bob-after.png", syncWithin, func(img image.Image) bool {
		took = time.Since(clicked)
		return same(img.At(centre2.X, centre2.Y), orange)
	})
	t.Logf("bob's circle turned orange %v after the click (screenshots included)", took.Round(time.Millisecond))
	save(t, "2-bob-after.png", after2)
	after1 := waitShot(t, x, w1, "2-alice-after.png", syncWithin, func(img image.Image) bool {
		return same(img.At(centre1.X, centre1.Y), orange)
	})
	save(t, "2-alice-after.png", after1)
	if _, err := host.WaitLine(waitFor, netns.Contains(`"color":"#ffa500"`)); err != nil {
		t.Fatalf("the host never heard of the orange: %v", err)
	}

	both := image.NewRGBA(image.Rect(0, 0, 2*640+gap, 480))
	draw.Draw(both, after1.Bounds(), after1, image.Point{}, draw.Src)
	draw.Draw(both, after2.Bounds().Add(image.Pt(640+gap, 0)), after2, image.Point{}, draw.Src)
	t.Logf("both windows: %s", save(t, "two-windows.png", both))
	if os.Getenv("HUECAST_UPDATE_SCREENSHOT") == "1" {
		t.Logf("README screenshot updated: %s", writePNG(t, docsShot, both))
	}

	// alice's window shows the page's address for phones; a click on it
	// opens a QR code of it that a decoder reads off the screen.
	page := "http://" + strings.TrimSuffix(strings.TrimPrefix(url, "ws://"), "/ws") + "/"
	link, n := linkCentre(after1)
	if n < 50 {
		t.Fatalf("no page address in alice's window (%d link-coloured pixels); see %s", n, filepath.Join(windowArtifacts, "2-alice-after.png"))
	}
	if err := x.click(w1, link); err != nil {
		t.Fatal(err)
	}
	var read string
	phone := waitShot(t, x, w1, "3-alice-phone.png", windowWait, func(img image.Image) bool {
		read = readQR(img)
		return read == page
	})
	t.Logf("the QR code in alice's window reads %s: %s", read, save(t, "3-alice-phone.png", phone))

	// A windowed peer quits cleanly on SIGTERM: the hub hears it leave.
	for _, p := range []struct {
		name string
		proc *netns.Proc
	}{{"alice", alice}, {"bob", bob}} {
		if err := p.proc.Term(); err != nil {
			t.Fatal(err)
		}
		if err := p.proc.Wait(waitFor); err != nil {
			t.Errorf("%s exited with %v", p.name, err)
		}
		if _, err := host.WaitLine(waitFor, netns.Contains(`"reason":"closed"`)); err != nil {
			t.Errorf("%s did not say goodbye: %v", p.name, err)
		}
		logs := p.proc.Stderr()
		if err := os.WriteFile(filepath.Join(windowArtifacts, p.name+".log"), []byte(logs), 0o644); err != nil {
			t.Fatal(err)
		}
		for _, bad := range []string{"Error in Fyne call thread", "panic:", "DATA RACE"} {
			if strings.Contains(logs, bad) {
				t.Errorf("%s's log has %q:\n%s", p.name, bad, logs)
			}
		}
	}
}

// linkCentre finds the page's address in a window: the middle of the
// pixels in Fyne's hyperlink blue, right of the circle and above the
// colour buttons (whose Blue is another blue), and how many there are.
func linkCentre(img image.Image) (image.Point, int) {
	b := img.Bounds()
	box, n := image.Rectangle{}, 0
	for y := b.Min.Y; y < b.Max.Y-80; y++ {
		for x := b.Min.X + b.Dx()*2/3; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			r, g, bl = r>>8, g>>8, bl>>8
			if bl > 200 && r < 120 && bl > g+60 {
				box = box.Union(image.Rect(x, y, x+1, y+1))
				n++
			}
		}
	}
	return image.Pt((box.Min.X+box.Max.X)/2-b.Min.X, (box.Min.Y+box.Max.Y)/2-b.Min.Y), n
}

// readQR returns the text of the QR code in img, or "" when it finds none.
func readQR(img image.Image) string {
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		return ""
	}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, nil)
	if err != nil {
		return ""
	}
	return res.GetText()
}

// buildWindowBinary builds huecast as `go build` does, without the
// migrated_fynedo tag, so that Fyne's thread checks stay on and log any
// widget change made off its UI goroutine. It is the build vet and the
// package share, not a race build: that would compile go-gl's C once more
// for minutes; the ui package's tests and the headless peers run under the
// race detector instead.
func buildWindowBinary(t *testing.T) string {
	t.Helper()
	return buildBinary(t)
}

func TestWindowWithoutADisplaySaysWhatToDo(t *testing.T) {
	bin := buildBinary(t)
	for _, env := range [][]string{
		{"DISPLAY=", "WAYLAND_DISPLAY="},                           // no display at all
		{"DISPLAY=:97", "WAYLAND_DISPLAY=", "HOME=" + t.TempDir()}, // one that is not there
	} {
		cmd := exec.Command(bin, "--no-mdns", "--listen", "127.0.0.1:0")
		cmd.Env = append(os.Environ(), env...)
		out, err := cmd.CombinedOutput()
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != 1 {
			t.Fatalf("%v: %v, want exit status 1\n%s", env, err, out)
		}
		if !strings.Contains(string(out), "--headless") || strings.Contains(string(out), "goroutine ") {
			t.Fatalf("%v: want a sentence that mentions --headless, not a stack trace:\n%s", env, out)
		}
	}
}
