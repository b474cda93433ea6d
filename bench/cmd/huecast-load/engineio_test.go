package main

import (
	"strings"
	"testing"
)

func TestParseEIO(t *testing.T) {
	tests := []struct {
		frame   string
		typ     byte
		data    string
		wantErr bool
	}{
		{frame: `0{"sid":"abc","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}`, typ: eioOpen,
			data: `{"sid":"abc","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}`},
		{frame: "1", typ: eioClose},
		{frame: "2", typ: eioPing},
		{frame: "2probe", typ: eioPing, data: "probe"},
		{frame: "3", typ: eioPong},
		{frame: `42["color","#aabbcc"]`, typ: eioMessage, data: `2["color","#aabbcc"]`},
		{frame: "6", typ: eioNoop},
		{frame: "", wantErr: true},
		{frame: "7", wantErr: true},
		{frame: "x", wantErr: true},
		{frame: "b", wantErr: true}, // binary marker of the polling transport
	}
	for _, tt := range tests {
		t.Run(tt.frame, func(t *testing.T) {
			typ, data, err := parseEIO([]byte(tt.frame))
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if err == nil && (typ != tt.typ || string(data) != tt.data) {
				t.Fatalf("got %q %q, want %q %q", typ, data, tt.typ, tt.data)
			}
		})
	}
}

func TestParseSIO(t *testing.T) {
	tests := []struct {
		data    string
		want    sioPacket
		wantErr string
	}{
		{data: "0", want: sioPacket{typ: sioConnect, nsp: "/", ackID: -1}},
		{data: `0{"sid":"xyz"}`, want: sioPacket{typ: sioConnect, nsp: "/", ackID: -1, payload: []byte(`{"sid":"xyz"}`)}},
		{data: "0/admin,", want: sioPacket{typ: sioConnect, nsp: "/admin", ackID: -1}},
		{data: "0/admin", want: sioPacket{typ: sioConnect, nsp: "/admin", ackID: -1}},
		{data: "1", want: sioPacket{typ: sioDisconnect, nsp: "/", ackID: -1}},
		{data: `2["color","#aabbcc"]`, want: sioPacket{typ: sioEvent, nsp: "/", ackID: -1, payload: []byte(`["color","#aabbcc"]`)}},
		{data: `2/room,12["color","#AABBCC"]`, want: sioPacket{typ: sioEvent, nsp: "/room", ackID: 12, payload: []byte(`["color","#AABBCC"]`)}},
		{data: `313["ok"]`, want: sioPacket{typ: sioAck, nsp: "/", ackID: 13, payload: []byte(`["ok"]`)}},
		{data: `4{"message":"Invalid namespace"}`, want: sioPacket{typ: sioConnectError, nsp: "/", ackID: -1, payload: []byte(`{"message":"Invalid namespace"}`)}},
		{data: "", wantErr: "empty"},
		{data: "9", wantErr: "unknown packet type"},
		{data: `51-["color",{"_placeholder":true,"num":0}]`, wantErr: "binary"},
		{data: "2x", wantErr: "payload starts with"},
		{data: "21234567890[]", wantErr: "ack id too long"},
	}
	for _, tt := range tests {
		t.Run(tt.data, func(t *testing.T) {
			got, err := parseSIO([]byte(tt.data))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one mentioning %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.typ != tt.want.typ || got.nsp != tt.want.nsp || got.ackID != tt.want.ackID || string(got.payload) != string(tt.want.payload) {
				t.Fatalf("got {%q %q %d %q}, want {%q %q %d %q}", got.typ, got.nsp, got.ackID, got.payload,
					tt.want.typ, tt.want.nsp, tt.want.ackID, tt.want.payload)
			}
		})
	}
}

func TestSIOEventColor(t *testing.T) {
	tests := []struct {
		payload string
		want    uint32
		ok      bool
	}{
		{`["color","#0a0b0c"]`, 0x0a0b0c, true},
		{`["color","#FFEEDD"]`, 0xffeedd, true},
		{`[ "color" , "#123456" ]`, 0x123456, true},         // not compact: the JSON path
		{`["color","#123456",{"extra":1}]`, 0x123456, true}, // extra arguments are ignored
		{`["colour","#123456"]`, 0, false},
		{`["color","blue"]`, 0, false},
		{`["color","#12345"]`, 0, false},
		{`["color","#12345g"]`, 0, false},
		{`["color"]`, 0, false},
		{`["color",42]`, 0, false},
		{`{"color":"#123456"}`, 0, false},
		{`[`, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.payload, func(t *testing.T) {
			got, ok := sioEventColor([]byte(tt.payload))
			if ok != tt.ok || got != tt.want {
				t.Fatalf("got %#06x %v, want %#06x %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestSocketIOClassify(t *testing.T) {
	p := socketioProto{}
	tests := []struct {
		frame     string
		kind      frameKind
		colour    uint32
		reply     string
		errSubstr string
	}{
		{frame: "2", kind: frameReply, reply: "3"},
		{frame: "2probe", kind: frameReply, reply: "3probe"},
		{frame: `42["color","#00002a"]`, kind: frameColour, colour: 42},
		{frame: `42["chat","hi"]`, kind: frameOther},
		{frame: `40{"sid":"s"}`, kind: frameOther},
		{frame: "6", kind: frameOther},
		{frame: "3", kind: frameOther},
		{frame: "41", kind: frameFatal, errSubstr: "disconnected"},
		{frame: "1", kind: frameFatal, errSubstr: "closed"},
		{frame: "", kind: frameFatal, errSubstr: "empty"},
		{frame: "4", kind: frameFatal, errSubstr: "empty packet"},
	}
	for _, tt := range tests {
		t.Run(tt.frame, func(t *testing.T) {
			kind, colour, reply, err := p.classify([]byte(tt.frame))
			if kind != tt.kind || colour != tt.colour || string(reply) != tt.reply {
				t.Fatalf("got kind %d colour %d reply %q, want %d %d %q", kind, colour, reply, tt.kind, tt.colour, tt.reply)
			}
			if tt.errSubstr == "" && err != nil || tt.errSubstr != "" && (err == nil || !strings.Contains(err.Error(), tt.errSubstr)) {
				t.Fatalf("err = %v, want %q", err, tt.errSubstr)
			}
		})
	}
}

func TestSocketIOColourFrameRoundTrips(t *testing.T) {
	for _, k := range []uint32{1, 0xabcdef, maxColour} {
		frame := socketioProto{}.appendColour(nil, k)
		kind, got, _, err := socketioProto{}.classify(frame)
		if err != nil || kind != frameColour || got != k {
			t.Fatalf("frame %q decoded as kind %d colour %#x err %v, want %#x", frame, kind, got, err, k)
		}
	}
	if got := string(appendSIOColor(nil, 0x1e90ff)); got != `42["color","#1e90ff"]` {
		t.Fatalf("frame = %s", got)
	}
}
