//go:build !unix

package hub

// canTryWrite: Windows (and any other system) gives no portable write that
// returns instead of waiting on Go's sockets (they are overlapped, not
// non-blocking), so every frame goes to the connection's writer goroutine,
// which writes it with an ordinary blocking Write.
const canTryWrite = false

func (s *sock) tryOnce(fd uintptr) bool { return true }

func wouldBlock(err error) bool { return false }
