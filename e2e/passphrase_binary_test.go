package e2e

import (
	"io"
	"strings"
	"testing"
)

// TestBinaryPassphraseFromEnvironmentAndFlag: a host given its passphrase
// in HUECAST_PASSPHRASE admits a peer given it with --passphrase, refuses
// one without it or with another, and the colour flows between the two.
func TestBinaryPassphraseFromEnvironmentAndFlag(t *testing.T) {
	bin := buildBinary(t)
	t.Setenv("HUECAST_PASSPHRASE", "blue moon")
	host := start(t, bin, "--headless", "--no-mdns", "--host", "--listen", "127.0.0.1:0", "--name", "hosty")
	url := host.await("hosting", event("hosting"))["url"].(string)
	host.await("host joined", event("joined"))
	t.Setenv("HUECAST_PASSPHRASE", "")

	a := start(t, bin, "--headless", "--no-mdns", "--join", url, "--name", "alice", "--passphrase", "blue moon")
	a.await("alice joined", event("joined"))
	for _, tc := range []struct{ name, pass, says string }{
		{"none", "", "needs a passphrase"},
		{"wrong", "blue mood", "Wrong passphrase"},
	} {
		p := start(t, bin, "--headless", "--no-mdns", "--join", url, "--name", "mallory", "--passphrase", tc.pass)
		m := p.await("refusal", func(m map[string]any) bool { return m["event"] == "error" || m["event"] == "joined" })
		if m["code"] != "unauthorized" || !strings.Contains(m["message"].(string), tc.says) {
			t.Fatalf("%s: got %v, want unauthorized saying %q", tc.name, m, tc.says)
		}
		io.WriteString(p.stdin, "quit\n")
	}
	io.WriteString(a.stdin, "purple\n")
	if m := host.await("purple", event("color")); m["color"] != "#800080" || m["by"] != "alice" || stampOf(m).IsZero() {
		t.Fatalf("color event = %v", m)
	}
}
