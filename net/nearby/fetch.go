package nearby

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
)

// maxListing bounds what Fetch reads: MaxRooms rooms of a few hundred
// bytes each.
const maxListing = 64 << 10

var fetchClient = &http.Client{
	Transport:     &http.Transport{Proxy: nil, DisableKeepAlives: true},
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// Fetch asks the hub at hostport for the rooms it hears (GET /api/rooms):
// how a member lists the rooms nearby without looking itself.
func Fetch(ctx context.Context, hostport string) ([]Room, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+hostport+"/api/rooms", nil)
	if err != nil {
		return nil, fmt.Errorf("nearby: %w", err)
	}
	resp, err := fetchClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("nearby: ask the hub: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("nearby: the hub at %s answered %s", hostport, resp.Status)
	}
	var list struct {
		Rooms []Room `json:"rooms"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxListing)).Decode(&list); err != nil {
		return nil, fmt.Errorf("nearby: the hub's list: %w", err)
	}
	return list.Rooms[:min(len(list.Rooms), MaxRooms+1)], nil
}
