package wire

import (
	"errors"
	"fmt"
	"strings"
)

// HubURL turns what a person may type for a hub, "host:port",
// "ws://host:port" or "http://host:port/", into the hub's WebSocket URL.
func HubURL(s string) (string, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return "", errors.New("no hub address given")
	case strings.HasPrefix(s, "http://"):
		s = "ws://" + strings.TrimPrefix(s, "http://")
	case strings.HasPrefix(s, "https://"):
		s = "wss://" + strings.TrimPrefix(s, "https://")
	case !strings.HasPrefix(s, "ws://") && !strings.HasPrefix(s, "wss://"):
		s = "ws://" + s
	}
	scheme, rest, _ := strings.Cut(s, "://")
	host, path, _ := strings.Cut(rest, "/")
	if host == "" {
		return "", fmt.Errorf("%q has no host; use host:port, for example 192.168.1.20:7788", s)
	}
	if path == "" {
		path = "ws"
	}
	return scheme + "://" + host + "/" + path, nil
}

// HostPort returns the host:port a hub's address names, as a peer tells it
// ("ws://10.0.0.5:7788/ws") or a person types it ("10.0.0.5:7788",
// "http://10.0.0.5:7788/"): what lies between the scheme and the path; ""
// when addr names no host.
func HostPort(addr string) string {
	s := strings.TrimSpace(addr)
	if _, rest, ok := strings.Cut(s, "://"); ok {
		s = rest
	}
	host, _, _ := strings.Cut(s, "/")
	return host
}
