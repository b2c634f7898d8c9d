package server

import (
	"encoding/binary"
	"io"
	"net"
	"testing"
	"time"
)

// HTTP/2 frame types and settings the connection tests read (RFC 9113).
const (
	frameSettings = 0x4
	framePing     = 0x6
	frameGoAway   = 0x7

	settingMaxConcurrentStreams = 0x3
	flagAck                     = 0x1
	errEnhanceYourCalm          = 0xb
)

// h2frame is one HTTP/2 frame.
type h2frame struct {
	typ     byte
	flags   byte
	stream  uint32
	payload []byte
}

// h2conn is a bare HTTP/2 client connection: enough to read what a server
// announces and sends on its own (settings, pings, GOAWAY), which a gRPC
// client does not expose.
type h2conn struct {
	t  *testing.T
	nc net.Conn
}

// dialH2 opens an HTTP/2 connection over nc: the client preface and empty
// settings.
func dialH2(t *testing.T, nc net.Conn) *h2conn {
	t.Helper()
	t.Cleanup(func() { nc.Close() })
	// A bound on a test that would otherwise hang on a silent server.
	nc.SetDeadline(time.Now().Add(20 * time.Second))
	c := &h2conn{t: t, nc: nc}
	if _, err := io.WriteString(nc, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	c.write(h2frame{typ: frameSettings})
	return c
}

func (c *h2conn) write(f h2frame) {
	c.t.Helper()
	hdr := make([]byte, 9, 9+len(f.payload))
	hdr[0], hdr[1], hdr[2] = byte(len(f.payload)>>16), byte(len(f.payload)>>8), byte(len(f.payload))
	hdr[3], hdr[4] = f.typ, f.flags
	binary.BigEndian.PutUint32(hdr[5:], f.stream)
	if _, err := c.nc.Write(append(hdr, f.payload...)); err != nil {
		c.t.Fatal(err)
	}
}

// read returns the next frame; io.EOF when the server closed the connection.
func (c *h2conn) read() (h2frame, error) {
	hdr := make([]byte, 9)
	if _, err := io.ReadFull(c.nc, hdr); err != nil {
		return h2frame{}, err
	}
	f := h2frame{typ: hdr[3], flags: hdr[4], stream: binary.BigEndian.Uint32(hdr[5:]) & 0x7fffffff}
	f.payload = make([]byte, int(hdr[0])<<16|int(hdr[1])<<8|int(hdr[2]))
	if _, err := io.ReadFull(c.nc, f.payload); err != nil {
		return h2frame{}, err
	}
	return f, nil
}

// serverSettings reads up to the server's first (non-ack) settings frame and
// acknowledges it.
func (c *h2conn) serverSettings() map[uint16]uint32 {
	c.t.Helper()
	for {
		f, err := c.read()
		if err != nil {
			c.t.Fatalf("no settings from the server: %v", err)
		}
		if f.typ != frameSettings || f.flags&flagAck != 0 {
			continue
		}
		c.write(h2frame{typ: frameSettings, flags: flagAck})
		out := map[uint16]uint32{}
		for p := f.payload; len(p) >= 6; p = p[6:] {
			out[binary.BigEndian.Uint16(p)] = binary.BigEndian.Uint32(p[2:])
		}
		return out
	}
}

// ping sends a ping carrying n and reads until its ack. It returns the
// GOAWAY error code if the server sent a GOAWAY first, or -1.
func (c *h2conn) ping(n uint64) int {
	c.t.Helper()
	data := binary.BigEndian.AppendUint64(nil, n)
	c.write(h2frame{typ: framePing, payload: data})
	for {
		f, err := c.read()
		if err != nil {
			c.t.Fatalf("connection ended without a GOAWAY: %v", err)
		}
		switch {
		case f.typ == frameGoAway && len(f.payload) >= 8:
			return int(binary.BigEndian.Uint32(f.payload[4:]))
		case f.typ == framePing && f.flags&flagAck != 0 && binary.BigEndian.Uint64(f.payload) == n:
			return -1
		}
	}
}

// awaitGoAway reads until the server sends a GOAWAY and returns its error
// code.
func (c *h2conn) awaitGoAway() int {
	c.t.Helper()
	for {
		f, err := c.read()
		if err != nil {
			c.t.Fatalf("no GOAWAY before the connection ended: %v", err)
		}
		if f.typ == frameGoAway && len(f.payload) >= 8 {
			return int(binary.BigEndian.Uint32(f.payload[4:]))
		}
	}
}
