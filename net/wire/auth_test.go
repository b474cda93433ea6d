package wire

import (
	"strings"
	"testing"
)

// The same vector is checked in the page's JavaScript (e2e/browser_test.go),
// so that the app and the page derive one key.
const (
	vectorKey = "a658eb0f256b873c2cf577884428ac6fdf5bc9f577908bd41a74dba383ca351c" // "secret" in lobby
	vectorMAC = "180e1c85ce399cd35edad0d0c65f8d803ff1acd35b47885a36391def35ba88a0" // of nonce "00ff"
)

func TestAuthKeyAndMACMatchTheDocumentedDerivation(t *testing.T) {
	k := AuthKey("secret", " Lobby ")
	if got := hexOf(k); got != vectorKey {
		t.Fatalf("AuthKey = %s, want %s", got, vectorKey)
	}
	if got := AuthMAC(k, "00ff"); got != vectorMAC {
		t.Fatalf("AuthMAC = %s, want %s", got, vectorMAC)
	}
	if AuthKey("", "lobby") != nil {
		t.Fatal("an empty passphrase gave a key")
	}
	if hexOf(AuthKey("secret", "kitchen")) == vectorKey {
		t.Fatal("another room gave the same key")
	}
}

func TestCheckMAC(t *testing.T) {
	k := AuthKey("secret", "lobby")
	n := NewNonce()
	if len(n) != 2*NonceLen || n == NewNonce() {
		t.Fatalf("nonce %q", n)
	}
	good := AuthMAC(k, n)
	for _, tc := range []struct {
		mac  string
		want bool
	}{
		{good, true}, {strings.ToUpper(good), true},
		{good[:62], false}, {good + "00", false}, {"", false}, {"zz" + good[2:], false},
		{AuthMAC(k, NewNonce()), false}, {AuthMAC(AuthKey("Secret", "lobby"), n), false},
	} {
		if got := CheckMAC(k, n, tc.mac); got != tc.want {
			t.Errorf("CheckMAC(%q) = %v, want %v", tc.mac, got, tc.want)
		}
	}
}

func hexOf(b []byte) string {
	const digits = "0123456789abcdef"
	s := make([]byte, 0, 2*len(b))
	for _, x := range b {
		s = append(s, digits[x>>4], digits[x&15])
	}
	return string(s)
}
