package web_test

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/huecast/huecast/assets/web"
	"github.com/huecast/huecast/net/wire"
	"rsc.io/qr"
)

func get(t *testing.T, h http.Handler, method, path string, hdr ...string) *http.Response {
	t.Helper()
	req := httptest.NewRequest(method, path, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Result()
}

func body(t *testing.T, r *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(r.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

var assetRef = regexp.MustCompile(`(?:href|src)="([^"]*)"`)

// page returns the served page and the assets it refers to.
func page(t *testing.T) (string, []string) {
	t.Helper()
	r := get(t, web.Handler(), "GET", "/")
	if r.StatusCode != http.StatusOK {
		t.Fatalf("GET / = %d", r.StatusCode)
	}
	html := body(t, r)
	var assets []string
	for _, m := range assetRef.FindAllStringSubmatch(html, -1) {
		if !strings.HasPrefix(m[1], "data:") {
			assets = append(assets, m[1])
		}
	}
	return html, assets
}

// asset returns the body of the asset whose path ends in suffix.
func asset(t *testing.T, assets []string, suffix string) string {
	t.Helper()
	for _, a := range assets {
		if strings.HasSuffix(a, suffix) {
			return body(t, get(t, web.Handler(), "GET", a))
		}
	}
	t.Fatalf("page has no %s asset", suffix)
	return ""
}

func TestPageHeaders(t *testing.T) {
	for _, path := range []string{"/", "/index.html"} {
		t.Run(path, func(t *testing.T) {
			r := get(t, web.Handler(), "GET", path)
			want := map[string]string{
				"Content-Type":           "text/html; charset=utf-8",
				"Cache-Control":          "no-cache",
				"X-Content-Type-Options": "nosniff",
				"X-Frame-Options":        "DENY",
			}
			for k, v := range want {
				if got := r.Header.Get(k); got != v {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}
			if csp := r.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe") {
				t.Errorf("Content-Security-Policy = %q", csp)
			}
			if r.Header.Get("ETag") == "" {
				t.Error("no ETag")
			}
		})
	}
}

func TestPageIsForPhonesAndSelfContained(t *testing.T) {
	html, assets := page(t)
	for _, want := range []string{`<meta name="viewport" content="width=device-width, initial-scale=1">`,
		`<meta name="color-scheme" content="light dark">`, `<html lang="en">`} {
		if !strings.Contains(html, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	// Every script under static/, wire.js that the hub writes, and the
	// style sheet.
	scripts, err := filepath.Glob("static/*.js")
	if err != nil {
		t.Fatal(err)
	}
	if len(assets) != len(scripts)+2 {
		t.Fatalf("page refers to %v, want wire.js, the %d scripts under static/ and the style sheet", assets, len(scripts))
	}
	for _, s := range append(scripts, "wire.js") {
		asset(t, assets, "/"+filepath.Base(s))
	}
	for _, a := range assets {
		if !strings.HasPrefix(a, "/s/") {
			t.Errorf("page refers to %q, not to an embedded asset", a)
		}
	}
	css := asset(t, assets, ".css")
	if strings.Contains(css, "@import") || strings.Contains(css, "url(") {
		t.Error("style sheet loads something else")
	}
	if !strings.Contains(css, "prefers-color-scheme: dark") {
		t.Error("style sheet has no dark scheme")
	}
}

func TestAssetsAreServedWithTypesAndLongCaching(t *testing.T) {
	_, assets := page(t)
	types := map[string]string{".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}
	for _, a := range assets {
		t.Run(a, func(t *testing.T) {
			r := get(t, web.Handler(), "GET", a)
			if r.StatusCode != http.StatusOK {
				t.Fatalf("GET %s = %d", a, r.StatusCode)
			}
			ext := a[strings.LastIndex(a, "."):]
			if got := r.Header.Get("Content-Type"); got != types[ext] {
				t.Errorf("Content-Type = %q, want %q", got, types[ext])
			}
			if got := r.Header.Get("Cache-Control"); got != "public, max-age=31536000, immutable" {
				t.Errorf("Cache-Control = %q", got)
			}
			if len(body(t, r)) == 0 {
				t.Error("empty")
			}
		})
	}
}

func TestRevalidationAndMethods(t *testing.T) {
	h := web.Handler()
	etag := get(t, h, "GET", "/").Header.Get("ETag")
	if r := get(t, h, "GET", "/", "If-None-Match", etag); r.StatusCode != http.StatusNotModified {
		t.Errorf("GET / with its ETag = %d, want 304", r.StatusCode)
	}
	if r := get(t, h, "HEAD", "/"); r.StatusCode != http.StatusOK || body(t, r) != "" {
		t.Errorf("HEAD / = %d with a body", r.StatusCode)
	}
	r := get(t, h, "POST", "/")
	if r.StatusCode != http.StatusMethodNotAllowed || r.Header.Get("Allow") != "GET, HEAD" {
		t.Errorf("POST / = %d, Allow %q", r.StatusCode, r.Header.Get("Allow"))
	}
	for _, path := range []string{"/nope", "/s/000000000000/app.js", "/app.js", "/static/app.js"} {
		r := get(t, h, "GET", path)
		if r.StatusCode != http.StatusNotFound || r.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("GET %s = %d, Cache-Control %q; want 404, no-store", path, r.StatusCode, r.Header.Get("Cache-Control"))
		}
	}
}

// The page's buttons are the palette every front end shows: view.js makes
// them from wire.js's PALETTE (which TestPageTakesTheProtocolConstantsFromPackageWire
// checks), so the page's HTML holds none of its own, and the style sheet
// paints each.
func TestPaletteMatchesWire(t *testing.T) {
	html, assets := page(t)
	css := asset(t, assets, ".css")
	if !regexp.MustCompile(`<div id="palette"[^>]*></div>`).MatchString(html) {
		t.Error("the page's HTML has buttons of its own in #palette, or no #palette")
	}
	for _, s := range wire.Palette {
		if !strings.Contains(css, `[data-color="`+s.Hex+`"] { --swatch: `+s.Hex+`;`) {
			t.Errorf("style sheet does not paint the %s button", s.Name)
		}
	}
	if !strings.Contains(html, `<input type="color"`) {
		t.Error("no custom colour input")
	}
}

func TestPageURL(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"ws://10.0.0.5:7788/ws", "http://10.0.0.5:7788/"},
		{"wss://hub.example:8443/ws", "https://hub.example:8443/"},
		{"10.0.0.5:7788", "http://10.0.0.5:7788/"},
		{" http://Alice.local:7788 ", "http://alice.local:7788/"},
		{"ws://10.0.0.5:80/ws", "http://10.0.0.5/"},
		{"https://h:443/x", "https://h/"},
		{"ws://[fe80::1]:7788/ws", "http://[fe80::1]:7788/"},
		{"ws://[::1]:80/ws", "http://[::1]/"},
	} {
		got, err := web.PageURL(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("PageURL(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", "ftp://h:1/", "http://:7788", "ws://user:pw@h:1/ws", "http://%zz"} {
		if got, err := web.PageURL(bad); err == nil {
			t.Errorf("PageURL(%q) = %q, want an error", bad, got)
		}
	}
}

func TestQRPNG(t *testing.T) {
	const text, scale = "http://10.0.0.5:7788/", 6
	b, err := web.QRPNG(text, scale)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	code, _ := qr.Encode(text, qr.M)
	side := (code.Size + 8) * scale // four quiet modules each side
	if img.Bounds() != image.Rect(0, 0, side, side) {
		t.Fatalf("bounds %v, want %d×%d", img.Bounds(), side, side)
	}
	black := func(mx, my int) bool { // module (mx, my) of the code, sampled at its centre
		c := color.GrayModel.Convert(img.At((mx+4)*scale+scale/2, (my+4)*scale+scale/2)).(color.Gray)
		return c.Y < 128
	}
	// Finder patterns: a dark 7×7 ring, a light ring, a dark 3×3 centre, in
	// three corners.
	for _, o := range [][2]int{{0, 0}, {code.Size - 7, 0}, {0, code.Size - 7}} {
		for y := 0; y < 7; y++ {
			for x := 0; x < 7; x++ {
				ring := x == 0 || y == 0 || x == 6 || y == 6
				centre := x >= 2 && x <= 4 && y >= 2 && y <= 4
				if want := ring || centre; black(o[0]+x, o[1]+y) != want {
					t.Fatalf("finder at %v: module (%d,%d) dark=%v", o, x, y, !want)
				}
			}
		}
	}
	for my := 0; my < code.Size; my++ {
		for mx := 0; mx < code.Size; mx++ {
			if black(mx, my) != code.Black(mx, my) {
				t.Fatalf("module (%d,%d) differs from the code", mx, my)
			}
		}
	}
	if _, err := web.QRPNG(strings.Repeat("x", 4000), 1); err == nil {
		t.Error("a text too long for any QR code gave no error")
	}
}
