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
//	key   = PBKDF2-HMAC-SHA256(passphrase, salt = AuthSalt + RoomName(room), AuthIterations, 32 bytes)
//	nonce = 32 random bytes, hex, sent by the hub in its challenge frame
//	mac   = hex(HMAC-SHA256(key, the nonce's hex text as UTF-8))
//
// The client then proves the hub knows the key too: it sends a challenge
// of its own (nonce2, in the same frame type), and the hub, once the
// client's mac checked out, answers it with
//
//	proof = hex(HMAC-SHA256(key, ProofPrefix + nonce2))
//
// in an auth frame. The prefix keeps the two answers apart: a hub that
// does not know the key cannot get a client to compute its proof for it by
// sending the client's own nonce back as its challenge.
//
// A hub advertises Verifier(key) (mDNS TXT vk, and /api/peer), so that
// peers tell two rooms of one name apart before they connect. It is a hint,
// not a proof: anyone can copy it, and only the challenges above decide.
//
// All of these are what a browser's WebCrypto computes (PBKDF2 and HMAC
// with SHA-256), so the page answers and checks the same as the app.
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
	// ProofPrefix is put before the client's nonce in the hub's proof.
	ProofPrefix = "hub:"
	// VerifierLabel is what the room's verifier is the HMAC of.
	VerifierLabel = "huecast/v1/verifier"
	// VerifierLen is the verifier's length in hex digits: 32 bits tell two
	// rooms of one name apart (one pair in four billion collides, and the
	// challenges still keep them apart), while an eavesdropper's offline
	// test of a guessed passphrase against it is as costly as against a
	// sniffed challenge and rules out fewer guesses (see SECURITY.md).
	VerifierLen = 8
)

// Challenge is the hub's first frame in a room with a passphrase.
type Challenge struct {
	Type  string `json:"type"`
	Nonce string `json:"nonce"`
}

// Auth answers a challenge: the client's answer to the hub's, or the hub's
// proof answering the client's.
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
	room = RoomName(room)
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

// ValidNonce says whether s has a nonce's shape: NonceLen bytes in lower-case hex.
func ValidNonce(s string) bool {
	if len(s) != 2*NonceLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// HubProof is the hub's answer to a client's own nonce under key.
func HubProof(key []byte, nonce string) string {
	return AuthMAC(key, ProofPrefix+nonce)
}

// CheckProof says, in constant time, whether proof is the hub's answer to
// the client's nonce under key.
func CheckProof(key []byte, nonce, proof string) bool {
	return CheckMAC(key, ProofPrefix+nonce, proof)
}

// Verifier is what a hub of the room with key advertises so that peers
// tell rooms of one name apart before connecting; "" for a room without a
// passphrase (key nil).
func Verifier(key []byte) string {
	if key == nil {
		return ""
	}
	return AuthMAC(key, VerifierLabel)[:VerifierLen]
}
