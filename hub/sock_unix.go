//go:build unix

package hub

import (
	"errors"
	"syscall"
)

// canTryWrite: on Unix a write(2) to the non-blocking descriptor returns
// EAGAIN instead of waiting, so the fan-out writes to idle sockets itself.
const canTryWrite = true

// tryOnce is tryWrite's RawConn callback: one write(2), whatever it returns.
// SIGPIPE from a socket the client closed does not stop the process: Go's
// runtime ignores it for descriptors other than stdout and stderr
// (os/signal, "SIGPIPE"); the write returns EPIPE, and the connection ends
// as after any failed write.
func (s *sock) tryOnce(fd uintptr) bool {
	s.tryN, s.tryErr = syscall.Write(int(fd), s.tryBuf)
	return true
}

func wouldBlock(err error) bool {
	return errors.Is(err, syscall.EAGAIN) || errors.Is(err, syscall.EINTR)
}
