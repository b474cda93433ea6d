package wire

import (
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
)

// A room with a passphrase admits only clients that prove they know it,
// without it ever crossing the wire:
//
//	key   = PBKDF2-HMAC-SHA256(passphrase, salt = AuthSalt + CleanRoom(room), AuthIterations, 32 bytes)
//	nonce = 32 random bytes, hex, sent by the hub in its challenge frame
//	mac   = hex(HMAC-SHA256(key, the nonce's hex text as UTF-8))
//
// Both are what a browser's WebCrypto computes (PBKDF2 and HMAC with
// SHA-256), so the page answers the same challenge as the app.
const (
	// AuthSalt prefixes the room in the PBKDF2 salt, so that the same
	// passphrase gives another key in another room (and another program).
	AuthSalt = "huecast/v1/room:"
	// AuthIterations makes each guess at a passphrase cost an eavesdropper
	// (who saw a nonce and its mac) about as much as a PBKDF2-SHA256 login
	// should, while a phone derives the key in well under a second.
	AuthIterations = 100_000
	// NonceLen is the challenge's size in bytes before hex.
	NonceLen = 32
)

// Challenge is the hub's first frame in a room with a passphrase.
type Challenge struct {
	Type  string `json:"type"`
	Nonce string `json:"nonce"`
}

// Auth answers a challenge.
type Auth struct {
	Type string `json:"type"`
	MAC  string `json:"mac"`
}

// AuthKey derives the key for passphrase in room; nil when passphrase is
// empty (a room without one). It is slow on purpose: derive it once.
func AuthKey(passphrase, room string) []byte {
	if passphrase == "" {
		return nil
	}
	room = CleanRoom(room)
	if room == "" {
		room = DefaultRoom
	}
	k, err := pbkdf2.Key(sha256.New, passphrase, []byte(AuthSalt+room), AuthIterations, sha256.Size)
	if err != nil { // only for an impossible key length
		panic("wire: pbkdf2: " + err.Error())
	}
	return k
}

// NewNonce returns a fresh challenge nonce.
func NewNonce() string {
	var b [NonceLen]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// AuthMAC is the answer to nonce under key.
func AuthMAC(key []byte, nonce string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(nonce))
	return hex.EncodeToString(m.Sum(nil))
}

// CheckMAC says, in constant time, whether mac answers nonce under key.
func CheckMAC(key []byte, nonce, mac string) bool {
	got, err := hex.DecodeString(mac)
	if err != nil || len(got) != sha256.Size {
		return false
	}
	want, _ := hex.DecodeString(AuthMAC(key, nonce))
	return hmac.Equal(got, want)
}
