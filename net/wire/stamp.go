// stamp.go: the stamp that orders colour changes, and the clock that makes it.

package wire

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Version is the protocol's version. Hello and welcome carry it as "v", and
// mDNS records as "v=". Version 3 binds the passphrase proofs to their
// connection (auth.go); version 2 ordered colours by Stamp; version 1
// counted them (seq). Older versions are refused with bad_version.
const Version = 3

const (
	// MaxSafe is JavaScript's largest safe integer: no number above it is
	// sent or accepted, so that a page compares stamps exactly.
	MaxSafe = 1<<53 - 1
	// MaxAhead bounds how far a stamp may lead the clock of whoever reads
	// it. Machines on one LAN agree to within a second when they keep time
	// at all; a stamp a minute ahead comes from a clock set wrong or from
	// someone forging one to freeze the room's later changes out. Such a
	// stamp is not adopted: its colour counts as a change made now.
	MaxAhead = time.Minute
)

// Stamp orders colour changes. It is a hybrid logical clock's reading: the
// wall clock in milliseconds, a counter that orders changes within one
// millisecond (and after a stamp from a clock that runs ahead), and the id
// of the peer who made the change to break the remaining ties. A change
// made after another was seen always gets a later stamp; of two changes
// made without seeing each other, the one made later by the wall clock wins.
// The zero Stamp is a room's starting colour, older than every change.
type Stamp struct {
	MS int64  `json:"ms"` // Unix milliseconds, 0..MaxSafe
	N  int64  `json:"n"`  // 0..MaxSafe
	ID string `json:"id"` // peer id, at most MaxIDLen characters
}

// Compare returns -1, 0 or +1 as s is older than, the same as, or newer
// than t: by MS, then N, then ID compared as UTF-8 bytes.
func (s Stamp) Compare(t Stamp) int {
	switch {
	case s.MS != t.MS:
		return cmp(s.MS < t.MS)
	case s.N != t.N:
		return cmp(s.N < t.N)
	case s.ID != t.ID:
		return cmp(s.ID < t.ID)
	}
	return 0
}

func cmp(less bool) int {
	if less {
		return -1
	}
	return 1
}

// After reports whether s is newer than t.
func (s Stamp) After(t Stamp) bool { return s.Compare(t) > 0 }

// IsZero reports whether s is the starting colour's stamp.
func (s Stamp) IsZero() bool { return s == Stamp{} }

// String is the stamp's text form, "ms.n.id", used where a stamp travels
// outside a frame (a page's address when it follows the room).
func (s Stamp) String() string {
	return strconv.FormatInt(s.MS, 10) + "." + strconv.FormatInt(s.N, 10) + "." + s.ID
}

// ParseStamp reads the text form String writes and checks it as Check does,
// without the bound on the future.
func ParseStamp(text string) (Stamp, error) {
	ms, rest, ok1 := strings.Cut(text, ".")
	n, id, ok2 := strings.Cut(rest, ".")
	s := Stamp{ID: id}
	var err1, err2 error
	s.MS, err1 = strconv.ParseInt(ms, 10, 64)
	s.N, err2 = strconv.ParseInt(n, 10, 64)
	if !ok1 || !ok2 || err1 != nil || err2 != nil || !digits(ms) || !digits(n) {
		return Stamp{}, badStamp(fmt.Sprintf("%q is not a stamp; expected milliseconds.counter.id.", clip(text, 40)))
	}
	return s, s.valid()
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// Check says whether a stamp read from the wire may be adopted by a clock
// whose wall clock reads now: its numbers are within 0..MaxSafe, its id is
// clean, and it leads now by at most MaxAhead. The error is a bad_stamp
// ProtocolError worded for the person whose clock is wrong.
func (s Stamp) Check(now time.Time) error {
	if err := s.valid(); err != nil {
		return err
	}
	if ahead := time.Duration(s.MS-now.UnixMilli()) * time.Millisecond; ahead > MaxAhead {
		return badStamp(fmt.Sprintf("That colour's stamp is %s ahead of this hub's clock (at most %s is accepted): "+
			"check the clock of the device that set it. The colour counts as set now.", ahead.Round(time.Second), MaxAhead))
	}
	return nil
}

func (s Stamp) valid() error {
	switch {
	case s.MS < 0 || s.MS > MaxSafe || s.N < 0 || s.N > MaxSafe:
		return badStamp("A stamp's ms and n must be whole numbers from 0 to 2^53-1.")
	case len(s.ID) > MaxIDLen*4 || CleanName(s.ID, MaxIDLen) != s.ID:
		return badStamp("A stamp's id must be a peer id: at most 64 printable characters.")
	}
	return nil
}

func badStamp(msg string) *ProtocolError { return &ProtocolError{CodeBadStamp, msg} }

// Clock is a hybrid logical clock: it makes the stamps of one hub or peer.
// It is not safe for concurrent use; its owner serialises calls.
type Clock struct {
	ID   string           // put in every stamp made
	Wall func() time.Time // nil: time.Now
	last Stamp            // the newest stamp made or observed (ID unused)
}

// Now returns the wall clock Clock uses.
func (c *Clock) Now() time.Time {
	if c.Wall != nil {
		return c.Wall()
	}
	return time.Now()
}

// Stamp returns a new stamp, later than every stamp made or observed
// before, even when the wall clock has gone back.
func (c *Clock) Stamp() Stamp {
	ms := c.Now().UnixMilli()
	switch {
	case ms > c.last.MS:
		c.last = Stamp{MS: ms}
	case c.last.N < MaxSafe:
		c.last.N++
	default: // never in practice: 2^53 changes within one millisecond
		c.last = Stamp{MS: c.last.MS + 1}
	}
	return Stamp{MS: c.last.MS, N: c.last.N, ID: c.ID}
}

// Observe merges a stamp read from the wire, so that every stamp made from
// now on is later than it. A stamp that Check refuses is not merged, and
// its error is returned.
func (c *Clock) Observe(s Stamp) error {
	if err := s.Check(c.Now()); err != nil {
		return err
	}
	if s.MS > c.last.MS || (s.MS == c.last.MS && s.N > c.last.N) {
		c.last = Stamp{MS: s.MS, N: s.N}
	}
	return nil
}
