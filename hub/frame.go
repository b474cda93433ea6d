// frame.go: WebSocket frames as the hub writes them, encoded once for
// every recipient.

package hub

import (
	"encoding/json"

	"github.com/gorilla/websocket"
)

// WebSocket opcodes and the frames the hub writes (RFC 6455, 5.2): a
// server's frames are not masked, so one frame's bytes serve every
// recipient.
const (
	opText  = 0x1
	opClose = 0x8
	opPing  = 0x9
	opPong  = 0xa
	finBit  = 0x80
)

// pingFrame is the heartbeat: a ping with no payload.
var pingFrame = []byte{finBit | opPing, 0}

// appendFrame appends one unfragmented frame of opcode op carrying payload.
func appendFrame(dst []byte, op byte, payload []byte) []byte {
	n := len(payload)
	switch {
	case n < 126:
		dst = append(dst, finBit|op, byte(n))
	case n <= 0xffff:
		dst = append(dst, finBit|op, 126, byte(n>>8), byte(n))
	default:
		dst = append(dst, finBit|op, 127, 0, 0, 0, 0, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
	}
	return append(dst, payload...)
}

// encodeFrame encodes v as JSON in one text frame, ready for any number of
// recipients.
func encodeFrame(v any) ([]byte, error) {
	msg, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return appendFrame(make([]byte, 0, len(msg)+4), opText, msg), nil
}

// closeFrame is a close frame with code and text (RFC 6455, 5.5.1);
// websocket.CloseNoStatusReceived makes one with no body, as that code must
// not be sent.
func closeFrame(code int, text string) []byte {
	if code == websocket.CloseNoStatusReceived {
		return appendFrame(nil, opClose, nil)
	}
	payload := append([]byte{byte(code >> 8), byte(code)}, text...)
	if len(payload) > 125 {
		payload = payload[:125]
	}
	return appendFrame(nil, opClose, payload)
}

// isClose reports whether frame begins a close frame.
func isClose(frame []byte) bool { return len(frame) > 0 && frame[0]&0x0f == opClose }
