package e2e

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Helpers that drive Debian's Chromium through chromedp for the page tests.

// artifacts is where screenshots are kept for a person to look at
// (gitignored); tests run in e2e/.
const artifacts = "artifacts"

// chromiumPath returns the browser to drive, or skips the test when there is
// none, unless HUECAST_E2E_REQUIRED=1 makes that a failure (CI installs
// Chromium and sets it). HUECAST_CHROMIUM names another binary.
func chromiumPath(t *testing.T) string {
	t.Helper()
	path := os.Getenv("HUECAST_CHROMIUM")
	if path == "" {
		path = "/usr/bin/chromium"
	}
	if _, err := exec.LookPath(path); err != nil {
		msg := fmt.Sprintf("browser tests need Chromium at %s (apt-get install chromium, or run scripts/test-deps.sh): %v", path, err)
		if os.Getenv("HUECAST_E2E_REQUIRED") == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return path
}

// newBrowser starts a headless Chromium with a fresh profile (chromedp makes
// and removes it) and returns its context; it is closed when t ends.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-sync", true),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() {
		_ = chromedp.Cancel(ctx)
		cancel()
		cancelAlloc()
	})
	// Not under a timeout: the first action binds the browser's life to
	// its context. chromedp gives up by itself if Chromium never answers.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	return ctx
}

// page is one tab. Each gets its own browser context unless shared, so that
// two pages have their own storage and so their own peer ids, as two phones do.
type page struct {
	t   *testing.T
	ctx context.Context
}

func newPage(t *testing.T, browser context.Context) *page {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	return openTab(t, ctx, cancel)
}

// tab opens another tab in p's browser context: same origin, same storage.
func (p *page) tab() *page {
	p.t.Helper()
	ctx, cancel := chromedp.NewContext(p.ctx)
	return openTab(p.t, ctx, cancel)
}

// openTab opens the tab with ctx itself: the first action on a chromedp
// context binds the tab's life to the context it is given, so that must not
// be a context with a timeout.
func openTab(t *testing.T, ctx context.Context, cancel context.CancelFunc) *page {
	t.Helper()
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("open a tab: %v", err)
	}
	return &page{t: t, ctx: ctx}
}

// in returns p reporting to t, for use inside a subtest.
func (p *page) in(t *testing.T) *page { return &page{t: t, ctx: p.ctx} }

// in returns p reporting to t, for use inside a subtest.
func (p *proc) in(t *testing.T) *proc {
	c := *p
	c.t = t
	return &c
}

// do runs actions, bounded by waitFor.
func (p *page) do(actions ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, waitFor)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		p.t.Fatalf("browser: %v", err)
	}
}

// eval returns a JavaScript expression's value.
func eval[T any](p *page, js string) T {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, waitFor)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	if err != nil {
		p.t.Fatalf("evaluate %s: %v", js, err)
	}
	return v
}

// waitJS waits up to d for a JavaScript expression to be true, polling every
// 10 ms (not on animation frames, which a tab in the background may not get).
// A poll cut short by a navigation starts again in the new document.
func (p *page) waitJS(what, js string, d time.Duration) {
	p.t.Helper()
	deadline := time.Now().Add(d)
	for {
		left := time.Until(deadline)
		if left <= 0 {
			p.t.Fatalf("%s: not within %v; status: %q", what, d, p.status())
		}
		ctx, cancel := context.WithTimeout(p.ctx, left+time.Second)
		_, err := chromedp.Run(ctx, chromedp.Poll[bool](js,
			chromedp.WithPollingInterval(10*time.Millisecond), chromedp.WithPollingTimeout(left)))
		cancel()
		switch {
		case err == nil:
			return
		case errors.Is(err, chromedp.ErrPollingTimeout), p.ctx.Err() != nil:
			p.t.Fatalf("%s: not within %v (%v); status: %q", what, d, err, p.status())
		}
		// The document is being replaced: wait for the new one, then poll again.
		ctx, cancel = context.WithTimeout(p.ctx, left)
		_, _ = chromedp.Run(ctx, chromedp.WaitReady("body"))
		cancel()
	}
}

func (p *page) status() string {
	ctx, cancel := context.WithTimeout(p.ctx, 2*time.Second)
	defer cancel()
	s, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`(document.getElementById('status') || {}).textContent || ''`))
	return s
}

// open loads url and waits until the page has joined its hub.
func (p *page) open(url string) {
	p.t.Helper()
	p.do(chromedp.Navigate(url))
	p.waitJoined()
}

func (p *page) waitJoined() {
	p.t.Helper()
	p.waitJS("page joined", `!!(window.huecast && huecast.state.joined)`, waitFor)
}

// circleIs is JavaScript that is true when the circle's computed background
// is hex.
func circleIs(hex string) string {
	return fmt.Sprintf(`getComputedStyle(document.getElementById('circle')).backgroundColor === %q`, rgb(hex))
}

// rgb turns #rrggbb into the form getComputedStyle gives.
func rgb(hex string) string {
	v, err := strconv.ParseUint(strings.TrimPrefix(hex, "#"), 16, 32)
	if err != nil || len(hex) != 7 {
		panic("rgb: " + hex)
	}
	return fmt.Sprintf("rgb(%d, %d, %d)", v>>16, v>>8&0xff, v&0xff)
}

// screenshot keeps a PNG of the viewport under artifacts/ and returns its path.
func (p *page) screenshot(name string) string {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, waitFor)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		p.t.Fatalf("screenshot: %v", err)
	}
	if err := os.MkdirAll(artifacts, 0o755); err != nil {
		p.t.Fatal(err)
	}
	path := filepath.Join(artifacts, name)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		p.t.Fatal(err)
	}
	abs, _ := filepath.Abs(path)
	p.t.Logf("screenshot: %s", abs)
	return path
}

// awaitWithin is proc.await with a deadline of d.
func (p *proc) awaitWithin(d time.Duration, what string, match func(map[string]any) bool) map[string]any {
	p.t.Helper()
	deadline := time.After(d)
	for {
		select {
		case m, ok := <-p.lines:
			if !ok {
				p.t.Fatalf("output ended while waiting for %s", what)
			}
			if match(m) {
				return m
			}
		case <-deadline:
			p.t.Fatalf("no %s within %v", what, d)
		}
	}
}

// stop interrupts the process and waits for it to exit, so that its port is
// free again.
func (p *proc) stop() {
	p.t.Helper()
	_ = p.cmd.Process.Signal(os.Interrupt)
	done := make(chan error, 1)
	go func() { done <- p.cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(waitFor):
		_ = p.cmd.Process.Kill()
		<-done
		p.t.Fatalf("%s did not stop on SIGINT", p.cmd.Path)
	}
}

func colorEvent(hex string) func(map[string]any) bool {
	return func(m map[string]any) bool { return m["event"] == "color" && m["color"] == hex }
}
