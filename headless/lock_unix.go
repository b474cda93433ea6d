//go:build unix

package headless

import (
	"os"
	"syscall"
)

// lock takes f for this process alone, without waiting; false if another
// process holds it. The lock ends with the process or f.Close.
func lock(f *os.File) bool {
	return syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) == nil
}
