package e2e

import (
	"encoding/binary"
	"fmt"
	"image/color"
	"io"
	"net"
	"strings"
	"time"
)

// pixelReader reads single pixels of an X server's screen over the X11
// protocol itself (one GetImage request of 1×1 per read), which takes a
// round trip of a Unix socket where running import takes tens of
// milliseconds: fast enough to time a window's flip to a fraction of a
// millisecond. It speaks only what that needs, to an Xvfb without access
// control on its local socket.
type pixelReader struct {
	conn net.Conn
	root uint32
	buf  []byte
}

// dialPixels connects to display (":N") through its local socket.
func dialPixels(display string) (*pixelReader, error) {
	conn, err := net.DialTimeout("unix", "/tmp/.X11-unix/X"+strings.TrimPrefix(display, ":"), xTimeout)
	if err != nil {
		return nil, err
	}
	p := &pixelReader{conn: conn, buf: make([]byte, 64)}
	if err := p.setup(); err != nil {
		conn.Close()
		return nil, fmt.Errorf("x11 setup on %s: %w", display, err)
	}
	return p, nil
}

// setup sends the connection request (little-endian, protocol 11.0, no
// authorisation) and keeps the first screen's root window from the answer.
func (p *pixelReader) setup() error {
	req := []byte{'l', 0, 11, 0, 0, 0, 0, 0, 0, 0, 0, 0}
	if _, err := p.conn.Write(req); err != nil {
		return err
	}
	head := make([]byte, 8)
	if _, err := io.ReadFull(p.conn, head); err != nil {
		return err
	}
	data := make([]byte, 4*int(binary.LittleEndian.Uint16(head[6:])))
	if _, err := io.ReadFull(p.conn, data); err != nil {
		return err
	}
	if head[0] != 1 {
		return fmt.Errorf("refused: %q", data[:min(int(head[1]), len(data))])
	}
	// After the fixed 32 bytes: the vendor's name (padded to 4), 8 bytes
	// per pixmap format, then the first screen, whose root window leads.
	vendor := int(binary.LittleEndian.Uint16(data[16:]))
	formats := int(data[21])
	off := 32 + (vendor+3)/4*4 + 8*formats
	if off+4 > len(data) {
		return fmt.Errorf("setup reply of %d bytes has no screen", len(data))
	}
	p.root = binary.LittleEndian.Uint32(data[off:])
	return nil
}

// at returns the colour of the root window's pixel (x, y), as on screen.
func (p *pixelReader) at(x, y int) (color.RGBA, error) {
	// GetImage (73), ZPixmap (2), 5 words: root, x, y, 1×1, all planes.
	req := p.buf[:20]
	req[0], req[1] = 73, 2
	binary.LittleEndian.PutUint16(req[2:], 5)
	binary.LittleEndian.PutUint32(req[4:], p.root)
	binary.LittleEndian.PutUint16(req[8:], uint16(x))
	binary.LittleEndian.PutUint16(req[10:], uint16(y))
	binary.LittleEndian.PutUint16(req[12:], 1)
	binary.LittleEndian.PutUint16(req[14:], 1)
	binary.LittleEndian.PutUint32(req[16:], 0xffffffff)
	if err := p.conn.SetDeadline(time.Now().Add(xTimeout)); err != nil {
		return color.RGBA{}, err
	}
	if _, err := p.conn.Write(req); err != nil {
		return color.RGBA{}, err
	}
	head := p.buf[:32]
	if _, err := io.ReadFull(p.conn, head); err != nil {
		return color.RGBA{}, err
	}
	if head[0] != 1 {
		return color.RGBA{}, fmt.Errorf("GetImage: X error %d", head[1])
	}
	n := 4 * int(binary.LittleEndian.Uint32(head[4:]))
	if n < 4 || n > len(p.buf) {
		return color.RGBA{}, fmt.Errorf("GetImage: %d bytes for one pixel", n)
	}
	px := p.buf[:n]
	if _, err := io.ReadFull(p.conn, px); err != nil {
		return color.RGBA{}, err
	}
	// A 24-bit visual's ZPixmap pixel is 32 bits, blue first.
	return color.RGBA{R: px[2], G: px[1], B: px[0], A: 0xff}, nil
}

func (p *pixelReader) Close() error { return p.conn.Close() }
