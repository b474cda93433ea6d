package wire

import (
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// A room with a passphrase admits only clients that prove they know it,
// without it ever crossing the wire, and the hub proves it knows it too.
// Both proofs are bound to one connection: both nonces and the address
// the client dialled, so that a program in the middle that relays them
// (one that copied a room's record and drew a peer to itself) gets
// nothing it can use on another connection:
//
//	key      = PBKDF2-HMAC-SHA256(passphrase, salt = AuthSalt + RoomName(room), AuthIterations, 32 bytes)
//	nonce    = 32 random bytes, hex: the hub's in its challenge frame, the client's in its own
//	endpoint = the Host header of the WebSocket request, lower case (Endpoint)
//	bound    = hub nonce + "|" + client nonce + "|" + endpoint
//	answer   = hex(HMAC-SHA256(key, AnswerPrefix + bound)), the client's, in an auth frame
//	proof    = hex(HMAC-SHA256(key, ProofPrefix + bound)), the hub's, once the answer checked out
//
// The hub takes the endpoint from the request and accepts it only when it
// names the hub itself (its own address and port, or its own name): a
// relay that drew the client to its own address gets an answer for that
// address, which the real hub refuses, and so never gets the hub's proof
// for the client either. The prefixes keep the two MACs apart, so neither
// side can get the other to compute its proof for it.
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
	// AnswerPrefix and ProofPrefix are put before the bound connection in
	// the client's answer and in the hub's proof.
	AnswerPrefix = "client:"
	ProofPrefix  = "hub:"
	// VerifierLabel is what the room's verifier is the HMAC of.
	VerifierLabel = "huecast/v1/verifier"
	// VerifierLen is the verifier's length in hex digits: 32 bits tell two
	// rooms of one name apart (one pair in four billion collides, and the
	// challenges still keep them apart), while an eavesdropper's offline
	// test of a guessed passphrase against it is as costly as against a
	// sniffed challenge and rules out fewer guesses (see SECURITY.md).
	VerifierLen = 8
)

// Challenge is the hub's first frame in a room with a passphrase, and a
// client's own first frame when it holds one. The hub's says its protocol
// version, so that a client tells an older hub (whose challenge has no v)
// before it answers.
type Challenge struct {
	Type  string `json:"type"`
	Nonce string `json:"nonce"`
	V     int    `json:"v,omitempty"`
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

// Endpoint is the address a client dialled as the proof binds it: the
// Host header of its WebSocket request (host, or host:port when the port
// is not the scheme's default), in lower case. "" for an empty one.
func Endpoint(host string) string {
	return strings.ToLower(strings.TrimSpace(host))
}

// bound is what both MACs of one connection cover.
func bound(hubNonce, clientNonce, endpoint string) string {
	return hubNonce + "|" + clientNonce + "|" + endpoint
}

// Answer is the client's answer to the hub's nonce, on the connection
// where it sent clientNonce to endpoint.
func Answer(key []byte, hubNonce, clientNonce, endpoint string) string {
	return AuthMAC(key, AnswerPrefix+bound(hubNonce, clientNonce, endpoint))
}

// CheckAnswer says, in constant time, whether mac is the client's answer
// on this connection.
func CheckAnswer(key []byte, hubNonce, clientNonce, endpoint, mac string) bool {
	return CheckMAC(key, AnswerPrefix+bound(hubNonce, clientNonce, endpoint), mac)
}

// HubProof is the hub's answer to the client's nonce on this connection.
func HubProof(key []byte, hubNonce, clientNonce, endpoint string) string {
	return AuthMAC(key, ProofPrefix+bound(hubNonce, clientNonce, endpoint))
}

// CheckProof says, in constant time, whether proof is the hub's answer to
// the client's nonce on this connection.
func CheckProof(key []byte, hubNonce, clientNonce, endpoint, proof string) bool {
	return CheckMAC(key, ProofPrefix+bound(hubNonce, clientNonce, endpoint), proof)
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
