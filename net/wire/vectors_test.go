package wire

import (
	"encoding/json"
	"os"
	"strconv"
	"testing"
	"time"
)

// Vectors are the protocol's shared test vectors, testdata/vectors.json.
// The page's JavaScript runs the same file in goja (assets/web's tests) and
// in Chromium (e2e/vectors_test.go), so the app and the page agree on every
// rule listed there; assets/web checks the page's address and candidates.
type Vectors struct {
	Colors []struct{ In, Out string } `json:"colors"`
	Names  []struct {
		In  string `json:"in"`
		Max int    `json:"max"`
		Out string `json:"out"`
	} `json:"names"`
	Rooms  []struct{ In, Out, Name string } `json:"rooms"`
	Stamps []struct {
		A   Stamp `json:"a"`
		B   Stamp `json:"b"`
		Cmp int   `json:"cmp"`
	} `json:"stamps"`
	StampText []struct {
		Text  string `json:"text"`
		Stamp Stamp  `json:"stamp"`
		Error bool   `json:"error"`
	} `json:"stamp_text"`
	Auth    []struct{ Passphrase, Room, Key, Nonce, MAC string } `json:"auth"`
	Backoff []struct {
		Attempt int     `json:"attempt"`
		R       float64 `json:"r"`
		MS      int64   `json:"ms"`
	} `json:"backoff"`
	Proofs []struct {
		Passphrase  string `json:"passphrase"`
		Room        string `json:"room"`
		Key         string `json:"key"`
		HubNonce    string `json:"hub_nonce"`
		ClientNonce string `json:"client_nonce"`
		Host        string `json:"host"`
		Endpoint    string `json:"endpoint"`
		Answer      string `json:"answer"`
		Proof       string `json:"proof"`
	} `json:"proofs"`
	Fill []struct {
		Text string            `json:"text"`
		Vars map[string]string `json:"vars"`
		Out  string            `json:"out"`
	} `json:"fill"`
	Versions []struct {
		Host        string `json:"host"`
		Hub, Device int
		Text        string `json:"text"`
	} `json:"versions"`
}

func loadVectors(t *testing.T) Vectors {
	t.Helper()
	b, err := os.ReadFile("testdata/vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var v Vectors
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("testdata/vectors.json: %v", err)
	}
	if len(v.Colors) == 0 || len(v.Names) == 0 || len(v.Rooms) == 0 || len(v.Stamps) == 0 || len(v.StampText) == 0 || len(v.Auth) == 0 ||
		len(v.Backoff) == 0 || len(v.Proofs) < 2 || len(v.Fill) == 0 || len(v.Versions) == 0 {
		t.Fatal("testdata/vectors.json lacks a section")
	}
	return v
}

func TestVectors(t *testing.T) {
	v := loadVectors(t)
	t.Run("colors", func(t *testing.T) {
		for _, c := range v.Colors {
			got, err := ParseColor(c.In)
			if (err != nil) != (c.Out == "") || got != c.Out {
				t.Errorf("ParseColor(%q) = %q, %v; want %q", c.In, got, err, c.Out)
			}
		}
	})
	t.Run("names", func(t *testing.T) {
		for _, c := range v.Names {
			if got := CleanName(c.In, c.Max); got != c.Out {
				t.Errorf("CleanName(%q, %d) = %q, want %q", c.In, c.Max, got, c.Out)
			}
		}
	})
	t.Run("rooms", func(t *testing.T) {
		for _, c := range v.Rooms {
			if got := CleanRoom(c.In); got != c.Out {
				t.Errorf("CleanRoom(%q) = %q, want %q", c.In, got, c.Out)
			}
			if got := RoomName(c.In); got != c.Name {
				t.Errorf("RoomName(%q) = %q, want %q", c.In, got, c.Name)
			}
		}
	})
	t.Run("stamps", func(t *testing.T) {
		for _, c := range v.Stamps {
			if got := c.A.Compare(c.B); got != c.Cmp {
				t.Errorf("%v.Compare(%v) = %d, want %d", c.A, c.B, got, c.Cmp)
			}
			if got := c.B.Compare(c.A); got != -c.Cmp {
				t.Errorf("%v.Compare(%v) = %d, want %d", c.B, c.A, got, -c.Cmp)
			}
		}
	})
	t.Run("stamp text", func(t *testing.T) {
		for _, c := range v.StampText {
			got, err := ParseStamp(c.Text)
			if c.Error {
				if err == nil || err.(*ProtocolError).Code != CodeBadStamp {
					t.Errorf("ParseStamp(%q) = %v, %v; want bad_stamp", c.Text, got, err)
				}
				continue
			}
			if err != nil || got != c.Stamp || got.String() != c.Text {
				t.Errorf("ParseStamp(%q) = %v, %v; want %v", c.Text, got, err, c.Stamp)
			}
		}
	})
	t.Run("backoff", func(t *testing.T) {
		for _, c := range v.Backoff {
			if got := Backoff(c.Attempt, c.R); got != time.Duration(c.MS)*time.Millisecond {
				t.Errorf("Backoff(%d, %v) = %v, want %d ms", c.Attempt, c.R, got, c.MS)
			}
		}
	})
	t.Run("fill", func(t *testing.T) {
		for _, c := range v.Fill {
			var pairs []string
			for k, val := range c.Vars {
				pairs = append(pairs, k, val)
			}
			if got := Fill(c.Text, pairs...); got != c.Out {
				t.Errorf("Fill(%q, %v) = %q, want %q", c.Text, c.Vars, got, c.Out)
			}
		}
	})
	t.Run("versions", func(t *testing.T) {
		for _, c := range v.Versions {
			want := Fill(Texts[c.Text], "host", c.Host, "hub", strconv.Itoa(c.Hub), "device", strconv.Itoa(c.Device))
			if got := VersionText(c.Host, c.Hub, c.Device); Texts[c.Text] == "" || got != want {
				t.Errorf("VersionText(%q, %d, %d) = %q, want %q", c.Host, c.Hub, c.Device, got, want)
			}
		}
	})
	t.Run("auth", func(t *testing.T) {
		for _, c := range v.Auth {
			k := AuthKey(c.Passphrase, c.Room)
			if got := hexOf(k); got != c.Key {
				t.Errorf("AuthKey(%q, %q) = %s, want %s", c.Passphrase, c.Room, got, c.Key)
			}
			if got := AuthMAC(k, c.Nonce); got != c.MAC {
				t.Errorf("AuthMAC(%s) = %s, want %s", c.Nonce, got, c.MAC)
			}
		}
	})
	t.Run("proofs", func(t *testing.T) {
		for _, c := range v.Proofs {
			k := AuthKey(c.Passphrase, c.Room)
			if got := hexOf(k); got != c.Key {
				t.Errorf("AuthKey(%q, %q) = %s, want %s", c.Passphrase, c.Room, got, c.Key)
			}
			if got := Endpoint(c.Host); got != c.Endpoint {
				t.Errorf("Endpoint(%q) = %q, want %q", c.Host, got, c.Endpoint)
			}
			if got := Answer(k, c.HubNonce, c.ClientNonce, c.Endpoint); got != c.Answer {
				t.Errorf("Answer(%s) = %s, want %s", c.Endpoint, got, c.Answer)
			}
			if got := HubProof(k, c.HubNonce, c.ClientNonce, c.Endpoint); got != c.Proof {
				t.Errorf("HubProof(%s) = %s, want %s", c.Endpoint, got, c.Proof)
			}
			if !CheckAnswer(k, c.HubNonce, c.ClientNonce, c.Endpoint, c.Answer) || CheckAnswer(k, c.HubNonce, c.ClientNonce, c.Endpoint, c.Proof) {
				t.Errorf("CheckAnswer(%s) mixes up the answer and the proof", c.Endpoint)
			}
			if !CheckProof(k, c.HubNonce, c.ClientNonce, c.Endpoint, c.Proof) || CheckProof(k, c.HubNonce, c.ClientNonce, c.Endpoint, c.Answer) {
				t.Errorf("CheckProof(%s) mixes up the proof and the answer", c.Endpoint)
			}
		}
		// The same connection dialled at another address (a relay's)
		// shares no MAC with it.
		a, b := v.Proofs[0], v.Proofs[len(v.Proofs)-1]
		if a.Endpoint == b.Endpoint || a.HubNonce != b.HubNonce || a.Answer == b.Answer || a.Proof == b.Proof {
			t.Error("the last proof vector is not the first one at another address")
		}
	})
}
