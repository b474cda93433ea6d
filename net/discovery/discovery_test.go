package discovery

import (
	"net"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/grandcat/zeroconf"
)

func testFilter() filter {
	_, lan, _ := net.ParseCIDR("10.77.5.0/24")
	return filter{room: "lobby", self: "me", ifs: []net.Interface{{Name: "eth1"}}, nets: []*net.IPNet{lan}}
}

func entry(instance string, port int, v4 []string, v6 []string, txt ...string) *zeroconf.ServiceEntry {
	e := zeroconf.NewServiceEntry(instance, Service, Domain)
	e.Port, e.Text = port, txt
	for _, s := range v4 {
		e.AddrIPv4 = append(e.AddrIPv4, net.ParseIP(s))
	}
	for _, s := range v6 {
		e.AddrIPv6 = append(e.AddrIPv6, net.ParseIP(s))
	}
	return e
}

var good = []string{"v=3", "room=lobby", "id=abc", "path=/ws"}

func TestCheckKeepsOnlyGoodHubsOfOurRoom(t *testing.T) {
	lan := []string{"10.77.5.11"}
	for _, tc := range []struct {
		name string
		e    *zeroconf.ServiceEntry
		url  string // "" means left out
		why  string // part of the reason when left out
	}{
		{"good", entry("huecast-abc", 7788, lan, nil, good...), "ws://10.77.5.11:7788/ws", ""},
		{"room in other case and with spaces", entry("huecast-abc", 7788, lan, nil, "v=3", "room= Lobby ", "id=abc", "path=/ws"), "ws://10.77.5.11:7788/ws", ""},
		{"keys in upper case, first of a repeated key counts", entry("x", 7788, lan, nil, "V=3", "ROOM=lobby", "room=other", "ID=abc", "Path=/ws"), "ws://10.77.5.11:7788/ws", ""},
		{"IPv4 preferred over IPv6", entry("x", 7788, lan, []string{"2001:db8::1"}, good...), "ws://10.77.5.11:7788/ws", ""},
		{"second IPv4 address is the reachable one", entry("x", 7788, []string{"192.0.2.7", "10.77.5.12"}, nil, good...), "ws://10.77.5.12:7788/ws", ""},
		{"routable IPv6 when no IPv4 is reachable", entry("x", 7788, []string{"192.0.2.7"}, []string{"2001:db8::1"}, good...), "ws://[2001:db8::1]:7788/ws", ""},
		{"link-local IPv6 gets the zone of our one interface", entry("x", 7788, nil, []string{"fe80::1"}, good...), "ws://[fe80::1%25eth1]:7788/ws", ""},
		{"link-local IPv6 of a hub whose IPv4 is on another network", entry("x", 7788, []string{"10.78.5.11"}, []string{"fe80::1"}, good...), "", "no address"},
		{"no TXT", entry("x", 7788, lan, nil), "", "no TXT"},
		{"TXT without room", entry("x", 7788, lan, nil, "v=3", "id=abc", "path=/ws"), "", "lacks room"},
		{"TXT without path", entry("x", 7788, lan, nil, "v=3", "room=lobby", "id=abc"), "", "lacks path"},
		{"another version", entry("x", 7788, lan, nil, "v=2", "room=lobby", "id=abc", "path=/ws"), "", "version"},
		{"another room", entry("x", 7788, lan, nil, "v=3", "room=kitchen", "id=abc", "path=/ws"), "", "not ours"},
		{"empty room", entry("x", 7788, lan, nil, "v=3", "room=\x00 ", "id=abc", "path=/ws"), "", "no room"},
		{"our own id", entry("huecast-other", 7788, lan, nil, "v=3", "room=lobby", "id=me", "path=/ws"), "", "own"},
		{"our own instance", entry("huecast-me", 7788, lan, nil, good...), "", "own"},
		{"empty id", entry("x", 7788, lan, nil, "v=3", "room=lobby", "id=", "path=/ws"), "", "bad id"},
		{"id with control characters", entry("x", 7788, lan, nil, "v=3", "room=lobby", "id=a\nb", "path=/ws"), "", "bad id"},
		{"id too long", entry("x", 7788, lan, nil, "v=3", "room=lobby", "id="+strings.Repeat("a", 65), "path=/ws"), "", "bad id"},
		{"path that is a URL", entry("x", 7788, lan, nil, "v=3", "room=lobby", "id=abc", "path=@evil.example/ws"), "", "bad path"},
		{"path with a query", entry("x", 7788, lan, nil, "v=3", "room=lobby", "id=abc", "path=/ws?x=1"), "", "bad path"},
		{"path too long", entry("x", 7788, lan, nil, "v=3", "room=lobby", "id=abc", "path=/"+strings.Repeat("a", 80)), "", "bad path"},
		{"port 0", entry("x", 0, lan, nil, good...), "", "port"},
		{"port too large", entry("x", 70000, lan, nil, good...), "", "port"},
		{"negative port", entry("x", -1, lan, nil, good...), "", "port"},
		{"no address", entry("x", 7788, nil, nil, good...), "", "no address"},
		{"loopback", entry("x", 7788, []string{"127.0.0.1"}, []string{"::1"}, good...), "", "no address"},
		{"another network", entry("x", 7788, []string{"192.0.2.1"}, nil, good...), "", "no address"},
		{"multicast", entry("x", 7788, []string{"224.0.0.251"}, []string{"ff02::fb"}, good...), "", "no address"},
		{"subnet broadcast", entry("x", 7788, []string{"10.77.5.255"}, nil, good...), "", "no address"},
		{"subnet address", entry("x", 7788, []string{"10.77.5.0"}, nil, good...), "", "no address"},
		{"unspecified", entry("x", 7788, []string{"0.0.0.0"}, []string{"::"}, good...), "", "no address"},
		{"nil entry", nil, "", "empty"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, why := testFilter().check(tc.e)
			if tc.url != "" {
				if why != "" || h.URL != tc.url || h.ID == "" || h.Room != "lobby" {
					t.Fatalf("got %+v, %q; want URL %s", h, why, tc.url)
				}
				return
			}
			if why == "" || !strings.Contains(why, tc.why) {
				t.Fatalf("got %+v, %q; want it left out for %q", h, why, tc.why)
			}
		})
	}
}

func TestLinkLocalIPv6NeedsOneInterface(t *testing.T) {
	f := testFilter()
	f.ifs = append(f.ifs, net.Interface{Name: "eth2"})
	if h, why := f.check(entry("x", 7788, nil, []string{"fe80::1"}, good...)); why == "" {
		t.Fatalf("got %+v: with two interfaces the zone is unknown, want it left out", h)
	}
}

func TestLinkLocalIPv6WhenWeHaveNoIPv4(t *testing.T) {
	f := testFilter()
	f.nets = nil
	if h, why := f.check(entry("x", 7788, []string{"10.78.5.11"}, []string{"fe80::1"}, good...)); why != "" || h.URL != "ws://[fe80::1%25eth1]:7788/ws" {
		t.Fatalf("got %+v, %q: without IPv4 of our own, the link-local address is the way in", h, why)
	}
}

func TestTXT(t *testing.T) {
	txt, err := TXT(Ad{ID: "abc", Name: "Ann", Room: " Lobby", Port: 7788})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(txt, " "); got != "v=3 room=lobby id=abc path=/ws name=Ann" {
		t.Fatalf("TXT = %q", got)
	}
	// What we write, we read back.
	if h, why := testFilter().check(entry("huecast-abc", 7788, []string{"10.77.5.11"}, nil, txt...)); why != "" || h.Name != "Ann" {
		t.Fatalf("own TXT read back as %+v, %q", h, why)
	}
	// A room with a passphrase says so, and a browser reads it.
	txt, err = TXT(Ad{ID: "abc", Room: "lobby", Auth: true})
	if err != nil || !strings.Contains(strings.Join(txt, " "), "auth=1") {
		t.Fatalf("TXT with Auth = %q, %v; want auth=1", txt, err)
	}
	if h, why := testFilter().check(entry("huecast-abc", 7788, []string{"10.77.5.11"}, nil, txt...)); why != "" || !h.Auth {
		t.Fatalf("auth=1 read back as %+v, %q", h, why)
	}
	if h, _ := testFilter().check(entry("huecast-abc", 7788, []string{"10.77.5.11"}, nil, "v=3", "room=lobby", "id=abc", "path=/ws", "auth=yes")); h.Auth {
		t.Fatal("auth=yes read as auth=1")
	}
	// The room's verifier tells two rooms of one name apart; a malformed
	// one, or one on an open room, reads as none.
	txt, _ = TXT(Ad{ID: "abc", Room: "lobby", Auth: true, Verifier: "0123abcd"})
	if h, why := testFilter().check(entry("huecast-abc", 7788, []string{"10.77.5.11"}, nil, txt...)); why != "" || h.Verifier != "0123abcd" {
		t.Fatalf("vk read back as %+v, %q", h, why)
	}
	for _, bad := range [][]string{
		{"auth=1", "vk=0123ABCD"}, {"auth=1", "vk=0123abc"}, {"auth=1", "vk=0123abcde"}, {"auth=1", "vk=0123abcg"}, {"vk=0123abcd"},
	} {
		txt := append([]string{"v=" + Version, "room=lobby", "id=abc", "path=/ws"}, bad...)
		if h, why := testFilter().check(entry("huecast-abc", 7788, []string{"10.77.5.11"}, nil, txt...)); why != "" || h.Verifier != "" {
			t.Fatalf("%q read as %+v, %q; want the hub with no verifier", bad, h, why)
		}
	}
	if txt, _ := TXT(Ad{ID: "abc", Room: "lobby", Verifier: "0123abcd"}); strings.Contains(strings.Join(txt, " "), "vk=") {
		t.Fatalf("an open room advertises a verifier: %q", txt)
	}
	// A room of 64 four-byte characters does not fit one TXT string.
	if _, err := TXT(Ad{ID: "abc", Room: strings.Repeat("😀", 64)}); err == nil {
		t.Fatal("an overlong room was accepted")
	}
	// A long name is cut, on a character boundary, to fit.
	txt, err = TXT(Ad{ID: "abc", Name: "é" + strings.Repeat("😀", 63), Room: strings.Repeat("x", 64)})
	if err != nil {
		t.Fatal(err)
	}
	last := txt[len(txt)-1]
	if !strings.HasPrefix(last, "name=é") || len(last) > maxTXT || len(last) < maxTXT-1 || !utf8.ValidString(last) {
		t.Fatalf("name cut to %d bytes: %q", len(last), last)
	}
}

func TestInstanceName(t *testing.T) {
	for in, want := range map[string]string{
		"9f3a":                  "huecast-9f3a",
		"a.b c/d":               "huecast-abcd",
		"":                      "",
		"...":                   "",
		strings.Repeat("a", 90): "huecast-" + strings.Repeat("a", 40),
	} {
		if got := InstanceName(in); got != want {
			t.Errorf("InstanceName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNewChecksInterfaces(t *testing.T) {
	if _, err := New(Config{Ifaces: []string{"huecast-no-such-if0"}}); err == nil || !strings.Contains(err.Error(), "huecast-no-such-if0") {
		t.Fatalf("New with a missing interface: %v, want an error naming it", err)
	}
	lo, err := net.InterfaceByIndex(1)
	if err == nil && lo.Flags&net.FlagMulticast == 0 {
		if _, err := New(Config{Ifaces: []string{lo.Name}}); err == nil || !strings.Contains(err.Error(), "cannot multicast") {
			t.Fatalf("New with %s: %v, want cannot multicast", lo.Name, err)
		}
	}
	if _, err := New(Config{Ifaces: []string{" ", ""}}); err != nil {
		t.Fatalf("blank names: %v", err)
	}
}

func TestCheckOfEveryRoomListsOtherRoomsButKeepsTheOtherRules(t *testing.T) {
	lan := []string{"10.77.5.11"}
	all := testFilter()
	all.room = ""
	h, why := all.check(entry("x", 7788, lan, nil, "v=3", "room= Kitchen", "id=abc", "path=/ws", "auth=1", "vk=0123abcd", "name=bo"))
	if why != "" || h.Room != "kitchen" || h.URL != "ws://10.77.5.11:7788/ws" || !h.Auth || h.Verifier != "0123abcd" || h.Name != "bo" {
		t.Fatalf("got %+v, %q; want kitchen's hub", h, why)
	}
	for _, e := range []*zeroconf.ServiceEntry{
		entry("x", 7788, lan, nil, "v=1", "room=kitchen", "id=abc", "path=/ws"),
		entry("x", 7788, lan, nil, "v=3", "room=kitchen", "id=me", "path=/ws"),
		entry("x", 7788, []string{"192.0.2.1"}, nil, "v=3", "room=kitchen", "id=abc", "path=/ws"),
		entry("x", 7788, lan, nil, "v=3", "room=", "id=abc", "path=/ws"),
	} {
		if h, why := all.check(e); why == "" {
			t.Errorf("%v listed as %+v", e.Text, h)
		}
	}
}
