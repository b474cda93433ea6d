package hub_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package if any goroutine outlives the tests: every
// hub's Run has returned and every connection's reader and writer ended.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
