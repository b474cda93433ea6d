package main

import (
	"errors"
	"fmt"
	"time"
)

// Bounds on what one run may ask for, so that no invocation can turn into an
// unbounded load (CONTEXT.md: bound every loop in count and time).
const (
	maxClients  = 20000 // also fits the 15 bits msgLog keeps for a sender
	maxRate     = 100000
	maxDuration = 10 * time.Minute
	maxMessages = 1 << 22 // 32 MiB of msgLog; far above 100/s for 10 min
	maxDrain    = time.Minute
	maxSettle   = 2 * time.Minute
	readLimit   = 64 << 10 // no frame the tool expects comes near this

	// settleQuiet is how long every client must have received nothing before
	// the load starts: joining N clients makes a huecast hub announce N²/2
	// presence frames, which must not be measured as queueing delay.
	settleQuiet = 300 * time.Millisecond
	// pollEvery bounds how late a wait for the settle or drain condition
	// notices it; it is not part of any measured latency.
	pollEvery = 10 * time.Millisecond
)

// config is one invocation of the tool.
type config struct {
	mode     string // "load", "idle" or "tcp-floor"
	proto    string // "huecast" or "socketio"
	addr     string // host:port, loopback only
	room     string
	n        int
	senders  int
	rate     float64 // colours per second, all senders together
	duration time.Duration
	warmup   time.Duration // colours sent but not measured, so the server's caches and JIT are warm
	drain    time.Duration // how long to wait for colours still in flight once sending stops
	settle   time.Duration // upper bound on waiting for quiet after joining
	pid      int           // the server's PID for /proc figures; 0 for none
	joinWait time.Duration // upper bound on one client's dial and handshake
	dialers  int           // clients joining at once
	idleHold time.Duration // idle mode: how long the idle clients stay before RSS is read
}

func (c config) validate() error {
	if c.mode == "tcp-floor" {
		if c.rate <= 0 || c.rate > maxRate {
			return fmt.Errorf("-rate must be in (0, %d]", maxRate)
		}
		if c.duration <= 0 || c.duration > maxDuration || c.warmup < 0 || c.warmup > maxDuration {
			return fmt.Errorf("-duration must be in (0, %v] and -warmup in [0, %v]", maxDuration, maxDuration)
		}
		if c.rate*(c.warmup+c.duration).Seconds() > maxMessages {
			return fmt.Errorf("-rate × (-warmup + -duration) exceeds %d round trips", maxMessages)
		}
		return nil
	}
	if err := checkLoopback(c.addr); err != nil {
		return err
	}
	if _, err := protocolByName(c.proto, c.room); err != nil {
		return err
	}
	if c.n < 1 || c.n > maxClients {
		return fmt.Errorf("-n must be in [1, %d]", maxClients)
	}
	if c.joinWait <= 0 || c.joinWait > time.Minute || c.dialers < 1 || c.dialers > 1024 {
		return errors.New("-join-timeout must be in (0, 1m] and -dialers in [1, 1024]")
	}
	if c.settle < 0 || c.settle > maxSettle {
		return fmt.Errorf("-settle must be in [0, %v]", maxSettle)
	}
	if c.mode == "idle" {
		if c.idleHold < 0 || c.idleHold > maxDuration {
			return fmt.Errorf("-idle-hold must be in [0, %v]", maxDuration)
		}
		return nil
	}
	if c.n < 2 {
		return errors.New("-n must be at least 2: a sender and someone to receive")
	}
	if c.senders < 1 || c.senders > c.n || c.senders > 256 {
		return errors.New("-senders must be in [1, min(n, 256)]")
	}
	if c.rate <= 0 || c.rate > maxRate {
		return fmt.Errorf("-rate must be in (0, %d]", maxRate)
	}
	if c.duration <= 0 || c.duration > maxDuration || c.warmup < 0 || c.warmup > maxDuration {
		return fmt.Errorf("-duration must be in (0, %v] and -warmup in [0, %v]", maxDuration, maxDuration)
	}
	if c.drain < 0 || c.drain > maxDrain {
		return fmt.Errorf("-drain must be in [0, %v]", maxDrain)
	}
	if c.rate*(c.warmup+c.duration).Seconds()+float64(c.senders) >= maxMessages {
		return fmt.Errorf("-rate × (-warmup + -duration) exceeds %d messages", maxMessages)
	}
	return nil
}

// hardDeadline bounds a whole run, whatever the server does.
func (c config) hardDeadline() time.Duration {
	join := time.Duration(c.n/max(c.dialers, 1)+1) * c.joinWait
	return join + c.settle + c.warmup + c.duration + c.drain + c.idleHold + 30*time.Second
}
