package main

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/huecast/huecast/net/wire"
)

func TestColourNumbersRoundTrip(t *testing.T) {
	for _, k := range []uint32{0, 1, 0x00ff00, 0xabcdef, maxColour} {
		s := string(appendColour(nil, k))
		got, ok := parseColour(s)
		if !ok || got != k || len(s) != 7 || s != strings.ToLower(s) {
			t.Fatalf("%#x → %q → %#x %v", k, s, got, ok)
		}
	}
	for _, bad := range []string{"", "#", "123456", "#12345", "#1234567", "#12345z", "red"} {
		if _, ok := parseColour(bad); ok {
			t.Errorf("parseColour(%q) accepted", bad)
		}
	}
	if got, ok := parseColour("#ABCdef"); !ok || got != 0xabcdef {
		t.Errorf("upper case: %#x %v", got, ok)
	}
}

func TestHuecastClassify(t *testing.T) {
	p := huecastProto{room: "lobby"}
	tests := []struct {
		name      string
		frame     string
		kind      frameKind
		colour    uint32
		errSubstr string
	}{
		{"compact colour", `{"type":"color","color":"#00002a","seq":7,"by":"p1","name":"alice"}`, frameColour, 42, ""},
		{"colour key first", `{"color":"#00002b","type":"color","seq":7}`, frameColour, 43, ""},
		{"spaces and upper case", `{ "type": "color", "color": "#ABCDEF", "seq": 8 }`, frameColour, 0xabcdef, ""},
		{"name holding the word color", `{"type":"color","name":"color","color":"#000001","seq":1}`, frameColour, 1, ""},
		{"welcome carries a colour but is no broadcast", `{"type":"welcome","id":"x","room":"lobby","color":"#008000","seq":0,"by":"","peers":[],"host":"h"}`, frameOther, 0, ""},
		{"join", `{"type":"join","peer":{"id":"a","name":"bob"}}`, frameOther, 0, ""},
		{"leave", `{"type":"leave","peer":{"id":"a","name":"bob"},"reason":"closed"}`, frameOther, 0, ""},
		{"pong", `{"type":"pong","t":5}`, frameOther, 0, ""},
		{"error", `{"type":"error","code":"bad_color","message":"not a colour"}`, frameFatal, 0, "bad_color"},
		{"colour frame with a bad colour", `{"type":"color","color":"blue","seq":1}`, frameFatal, 0, "bad colour"},
		{"not JSON", `{"type":"color",`, frameFatal, 0, "bad frame"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kind, colour, reply, err := p.classify([]byte(tt.frame))
			if kind != tt.kind || colour != tt.colour || reply != nil {
				t.Fatalf("got kind %d colour %#x reply %q, want %d %#x", kind, colour, reply, tt.kind, tt.colour)
			}
			if tt.errSubstr == "" && err != nil || tt.errSubstr != "" && (err == nil || !strings.Contains(err.Error(), tt.errSubstr)) {
				t.Fatalf("err = %v, want %q", err, tt.errSubstr)
			}
		})
	}
}

func TestHuecastColourFrameIsTheProtocolsColourMessage(t *testing.T) {
	frame := huecastProto{}.appendColour(nil, 0x1e90ff)
	var m map[string]any
	if err := json.Unmarshal(frame, &m); err != nil {
		t.Fatal(err)
	}
	if len(m) != 2 || m["type"] != "color" || m["color"] != "#1e90ff" {
		t.Fatalf("frame = %s", frame)
	}
}

func TestCheckLoopback(t *testing.T) {
	tests := []struct {
		addr string
		ok   bool
	}{
		{"127.0.0.1:7788", true},
		{"127.1.2.3:80", true},
		{"[::1]:7788", true},
		{"localhost:3000", true},
		{"LOCALHOST:3000", true},
		{"10.77.0.2:7788", false},
		{"192.168.1.1:80", false},
		{"0.0.0.0:80", false},
		{"[::]:80", false},
		{"example.com:80", false},
		{"127.0.0.1", false},
		{"127.0.0.1:", false},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			if err := checkLoopback(tt.addr); (err == nil) != tt.ok {
				t.Fatalf("checkLoopback(%q) = %v, want ok %v", tt.addr, err, tt.ok)
			}
		})
	}
}

func TestMsgLogEntriesRoundTrip(t *testing.T) {
	tests := []struct {
		ns     int64
		sender int
		warmup bool
	}{
		{1, 0, false},
		{int64(10 * time.Minute), 19999, true},
		{1<<48 - 1, 0x7fff, false},
	}
	for _, tt := range tests {
		e := packEntry(tt.ns, tt.sender, tt.warmup)
		if e == 0 {
			t.Fatalf("entry for %+v is zero, which means never sent", tt)
		}
		ns, sender, warmup := unpackEntry(e)
		if ns != tt.ns || sender != tt.sender || warmup != tt.warmup {
			t.Fatalf("%+v → %d %d %v", tt, ns, sender, warmup)
		}
	}
}

const sampleStatus = `Name:	node
Umask:	0022
State:	S (sleeping)
VmPeak:	 1017364 kB
VmSize:	  984020 kB
VmHWM:	   66296 kB
VmRSS:	   65376 kB
RssAnon:	   30000 kB
Threads:	11
`

// The command name may hold spaces and parentheses; fields count from the last ')'.
const sampleStat = `22127 (my (odd) cmd) S 1 22127 1 0 -1 4194560 5046 0 0 0 61 15 0 0 20 0 11 0 123 1007636480 16344 18446744073709551615 1 1 0 0 0 0 0 4096 134234626 0 0 0 17 1 0 0 0 0 0`

func TestParseProcFiles(t *testing.T) {
	rss, hwm, err := parseStatus([]byte(sampleStatus))
	if err != nil || rss != 65376 || hwm != 66296 {
		t.Fatalf("parseStatus = %d %d %v", rss, hwm, err)
	}
	if a := statusKiB([]byte(sampleStatus), "RssAnon"); a != 30000 {
		t.Fatalf("RssAnon = %d, want 30000", a)
	}
	if a := statusKiB([]byte("Name:\tkthreadd\n"), "RssAnon"); a != -1 {
		t.Fatalf("missing RssAnon = %d, want -1", a)
	}
	if _, _, err := parseStatus([]byte("Name:\tkthreadd\nState:\tS\n")); err == nil {
		t.Fatal("status without VmRSS parsed")
	}
	if _, _, err := parseStatus([]byte("VmRSS:\tlots\nVmHWM:\t1 kB\n")); err == nil {
		t.Fatal("bad VmRSS parsed")
	}
	cpu, err := parseStatCPU([]byte(sampleStat))
	if err != nil || cpu != 760*time.Millisecond {
		t.Fatalf("parseStatCPU = %v %v, want 760ms (61+15 ticks)", cpu, err)
	}
	if _, err := parseStatCPU([]byte("1 (x) S 1 2")); err == nil {
		t.Fatal("short stat parsed")
	}
}

func TestReadProcOfThisProcess(t *testing.T) {
	s, err := readProc(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if s.RSSKiB <= 0 || s.HWMKiB < s.RSSKiB {
		t.Fatalf("own process: %+v", s)
	}
}

func TestMarkdownRowsFitTheirHeaders(t *testing.T) {
	tests := []struct {
		r    *result
		want []string
	}{
		{&result{Mode: "load", N: 100, Rate: 100, Sent: 100, Expected: 9900, Delivered: 9900, P50MS: 0.25, P99MS: 1, MaxMS: 2,
			DeliveredPerS: 9900, Server: &serverStats{RSSPeakKiB: 10240, CPUS: 0.5}}, []string{"| x |", "| 0.250 |", "| 10.0 |", "| 9900 |", "| 0.50 |"}},
		{&result{Mode: "load", N: 10, Rate: 100}, []string{"| – | – |"}},
		{&result{Mode: "idle", N: 1000, IdleRSSBeforeKiB: 10240, IdleRSSAfterKiB: 20480, BytesPerConn: 10485.76}, []string{"| 10.0 | 20.0 | 10.24 |"}},
		{&result{Mode: "tcp-floor", Rate: 100, Delivered: 500, P50MS: 0.03}, []string{"| x | 100 | 500 | 0.030 |"}},
	}
	for _, tt := range tests {
		t.Run(tt.r.Mode, func(t *testing.T) {
			row := markdownRow("x", tt.r)
			header := strings.Split(markdownHeader(tt.r.Mode), "\n")
			if len(header) != 2 {
				t.Fatalf("header %q is not two lines", header)
			}
			// The header has one more column than the row: run.sh appends the command.
			if got, want := strings.Count(row, "|")+1, strings.Count(header[0], "|"); got != want {
				t.Fatalf("row %q does not fit header %q", row, header[0])
			}
			if strings.Count(header[1], "|") != strings.Count(header[0], "|") {
				t.Fatalf("header rule %q does not fit %q", header[1], header[0])
			}
			for _, w := range tt.want {
				if !strings.Contains(row, w) {
					t.Errorf("row %q lacks %q", row, w)
				}
			}
		})
	}
}

// TestProtocolVersionIsTheHubs: the tool's hello says the version the hub
// speaks, or every join would get bad_version.
func TestProtocolVersionIsTheHubs(t *testing.T) {
	if protocolVersion != wire.Version {
		t.Fatalf("the load tool says protocol %d, the hub speaks %d", protocolVersion, wire.Version)
	}
}
