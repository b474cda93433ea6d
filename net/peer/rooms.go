package peer

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/huecast/huecast/net/nearby"
	"github.com/huecast/huecast/net/wire"
)

// Rooms lists the rooms heard nearby; nearby.Cache is one. It looks only
// when asked, so a peer that nobody asks sends nothing for it.
type Rooms interface {
	Rooms(ctx context.Context) []nearby.Room
}

// RoomsPath is where a hosting peer serves the rooms it hears.
const RoomsPath = "/api/rooms"

// listedRoom is a room as GET /api/rooms sends it: its page beside its hub.
type listedRoom struct {
	nearby.Room
	Page string `json:"page"`
}

// serveRooms answers GET /api/rooms while this peer hosts: its own room
// first (here), then the others it hears. Members and pages of the room
// ask their hub rather than looking themselves; a peer that does not host
// answers 503, as /ws does.
func (p *Peer) serveRooms(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		http.Error(w, "huecast: GET only", http.StatusMethodNotAllowed)
		return
	}
	h := p.hub.Load()
	if h == nil {
		http.Error(w, "huecast: this peer does not host the room's hub; ask the hub (GET /api/peer says where it is)", http.StatusServiceUnavailable)
		return
	}
	here := nearby.Room{Room: p.room, Host: wire.CleanName(p.cfg.Name, wire.MaxNameLen), HostID: p.cfg.ID, Members: 1, Locked: p.vk != "", URL: p.publicURL(), Here: true}
	if st, err := h.State(r.Context()); err == nil {
		here.Members = max(len(st.Peers), 1)
	}
	list := []listedRoom{{Room: here, Page: here.Page()}}
	if p.cfg.Rooms != nil {
		for _, x := range p.cfg.Rooms.Rooms(r.Context()) {
			if x.HostID != p.cfg.ID {
				list = append(list, listedRoom{Room: x, Page: x.Page()})
			}
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(struct {
		Rooms []listedRoom `json:"rooms"`
	}{list})
}
