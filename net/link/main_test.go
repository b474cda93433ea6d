package link_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package if any goroutine outlives the tests: every
// link's Run has returned with its reader and writer.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
