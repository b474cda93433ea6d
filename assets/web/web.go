// Package web is the page every hub serves at GET /, so that a phone or a
// laptop without the app joins the room from a browser. The page is plain
// HTML, CSS and JavaScript under static/, embedded in the binary: no build
// step, nothing fetched at run time.
//
// The package also turns a hub's address into its page's address, and that
// address into a QR code, for the window to show. It imports neither Fyne nor
// the hub, so both may use it.
package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"rsc.io/qr"
)

//go:embed static
var static embed.FS

// assetPrefix is where the page's scripts and styles are served, under a
// path holding their content's hash: a new build gets new paths, so they may
// be cached for good.
const assetPrefix = "/s/"

const (
	// The page itself is checked with the hub on every load (no-cache, by
	// ETag), so an upgraded hub serves its new page at once.
	pageCache = "no-cache"
	// Assets live under their hash and never change.
	assetCache = "public, max-age=31536000, immutable"
	// csp allows the page's own scripts and styles only. connect-src names
	// http: as the page asks other members' addresses whether they now host
	// the room.
	csp = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
		"connect-src 'self' ws: wss: http: https:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)

type file struct {
	name  string
	ctype string
	data  []byte
	etag  string
}

type site struct {
	page   file
	assets map[string]file // by path under assetPrefix: "<hash>/app.js"
}

// Handler serves the page at / (and /index.html) and its assets, with their
// content types and cache headers. Anything else is 404; methods other than
// GET and HEAD are 405. Mount it where the hub's Config.Page says.
func Handler() http.Handler { return theSite }

var theSite = load()

// load reads the embedded files once and points the page at its assets'
// hashed paths.
func load() *site {
	must := func(name string) []byte {
		b, err := static.ReadFile("static/" + name)
		if err != nil {
			// The files are compiled in; a missing one is a broken build,
			// which this package's tests catch.
			panic("web: " + err.Error())
		}
		return b
	}
	s := &site{assets: map[string]file{}}
	html := string(must("index.html"))
	for _, a := range []struct{ name, ctype string }{
		{"style.css", "text/css; charset=utf-8"},
		{"wire.js", "text/javascript; charset=utf-8"},
		{"proto.js", "text/javascript; charset=utf-8"},
		{"auth.js", "text/javascript; charset=utf-8"},
		{"clock.js", "text/javascript; charset=utf-8"},
		{"state.js", "text/javascript; charset=utf-8"},
		{"view.js", "text/javascript; charset=utf-8"},
		{"connection.js", "text/javascript; charset=utf-8"},
		{"proof.js", "text/javascript; charset=utf-8"},
		{"schedule.js", "text/javascript; charset=utf-8"},
		{"follow.js", "text/javascript; charset=utf-8"},
		{"app.js", "text/javascript; charset=utf-8"},
		{"rooms.js", "text/javascript; charset=utf-8"},
	} {
		var data []byte
		if a.name == "wire.js" {
			data = wireJS()
		} else {
			data = must(a.name)
		}
		h := hash(data)
		path := h[:12] + "/" + a.name
		s.assets[path] = file{name: a.name, ctype: a.ctype, data: data, etag: `"` + h + `"`}
		html = strings.Replace(html, `"`+a.name+`"`, `"`+assetPrefix+path+`"`, 1)
	}
	s.page = file{name: "index.html", ctype: "text/html; charset=utf-8", data: []byte(html), etag: `"` + hash([]byte(html)) + `"`}
	return s
}

func hash(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func (s *site) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "huecast: the page is read with GET", http.StatusMethodNotAllowed)
		return
	}
	hdr := w.Header()
	hdr.Set("X-Content-Type-Options", "nosniff")
	switch p := r.URL.Path; {
	case p == "/" || p == "/index.html":
		hdr.Set("Cache-Control", pageCache)
		hdr.Set("Content-Security-Policy", csp)
		hdr.Set("Referrer-Policy", "no-referrer")
		hdr.Set("X-Frame-Options", "DENY")
		serve(w, r, s.page)
	case strings.HasPrefix(p, assetPrefix):
		f, ok := s.assets[strings.TrimPrefix(p, assetPrefix)]
		if !ok {
			// An old page asking for assets of another build: not cached,
			// so the next load finds the new ones.
			hdr.Set("Cache-Control", "no-store")
			http.NotFound(w, r)
			return
		}
		hdr.Set("Cache-Control", assetCache)
		serve(w, r, f)
	default:
		hdr.Set("Cache-Control", "no-store")
		http.NotFound(w, r)
	}
}

func serve(w http.ResponseWriter, r *http.Request, f file) {
	w.Header().Set("Content-Type", f.ctype)
	w.Header().Set("ETag", f.etag)
	// ServeContent answers If-None-Match with 304 and HEAD without a body.
	http.ServeContent(w, r, f.name, time.Time{}, bytes.NewReader(f.data))
}

// PageURL returns the address of the page served by the hub at hubURL, as
// peer.Hosting or link.Joined give it ("ws://10.0.0.5:7788/ws"), or as a
// person types it ("10.0.0.5:7788", "http://10.0.0.5:7788/"):
// "http://10.0.0.5:7788/". wss and https give https.
func PageURL(hubURL string) (string, error) {
	s := strings.TrimSpace(hubURL)
	if s == "" {
		return "", fmt.Errorf("web: no hub address")
	}
	if !strings.Contains(s, "://") {
		s = "http://" + s
	}
	u, err := url.Parse(s)
	if err != nil {
		return "", fmt.Errorf("web: %q is not a hub address: %w", hubURL, err)
	}
	var scheme string
	switch strings.ToLower(u.Scheme) {
	case "ws", "http":
		scheme = "http"
	case "wss", "https":
		scheme = "https"
	default:
		return "", fmt.Errorf("web: %q is not a hub address (ws, wss, http or https)", hubURL)
	}
	host := strings.ToLower(u.Host)
	if u.Hostname() == "" || u.User != nil {
		return "", fmt.Errorf("web: %q has no host", hubURL)
	}
	// Browsers drop a scheme's default port; so does this, so that the
	// window and the page name one address alike.
	if h, port, err := net.SplitHostPort(host); err == nil &&
		(scheme == "http" && port == "80" || scheme == "https" && port == "443") {
		host = h
		if strings.Contains(h, ":") {
			host = "[" + h + "]"
		}
	}
	return scheme + "://" + host + "/", nil
}

// QRPNG returns a QR code of text as a PNG, scale pixels per module (at
// least 1), with the four-module quiet zone a camera needs around it. Medium
// error correction copes with a screen's glare.
func QRPNG(text string, scale int) ([]byte, error) {
	c, err := qr.Encode(text, qr.M)
	if err != nil {
		return nil, fmt.Errorf("web: QR code of %q: %w", text, err)
	}
	c.Scale = max(scale, 1)
	return c.PNG(), nil
}
