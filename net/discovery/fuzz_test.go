package discovery

import (
	"net/url"
	"strings"
	"testing"
)

// FuzzTXT: no record a stranger announces makes reading it panic, and what
// is accepted is a hub of our room at a URL that is ws:// to an address on
// our subnet with a plain path. txt holds the record's strings separated by
// NUL bytes. Seeds in testdata/fuzz/FuzzTXT; scripts/test.sh runs it:
// go test -run '^$' -fuzz '^FuzzTXT$' -fuzztime 10s ./net/discovery
func FuzzTXT(f *testing.F) {
	f.Add("v=3\x00room=lobby\x00id=abc\x00path=/ws\x00auth=1", 7788, "10.77.5.11", "huecast-abc")
	f.Fuzz(func(t *testing.T, txt string, port int, ip, instance string) {
		h, why := testFilter().check(entry(instance, port, []string{ip}, []string{ip}, strings.Split(txt, "\x00")...))
		if why != "" {
			if h != (Hub{}) {
				t.Fatalf("left out (%s) but returned %+v", why, h)
			}
			return
		}
		u, err := url.Parse(h.URL)
		if err != nil || u.Scheme != "ws" || u.Port() == "" || u.Port() == "0" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
			t.Fatalf("accepted URL %q (%v)", h.URL, err)
		}
		if h.Room != "lobby" || h.ID == "" || h.ID == "me" || len(h.ID) > 64 {
			t.Fatalf("accepted %+v", h)
		}
		if port <= 0 || port > 65535 {
			t.Fatalf("accepted port %d", port)
		}
	})
}
