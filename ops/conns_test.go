package ops

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"testing"
	"time"
)

// pipeListener hands out one end of in-memory connections, each from the address it
// was given; the test keeps the other ends.
type pipeListener struct{ conns chan net.Conn }

func (l pipeListener) Accept() (net.Conn, error) {
	c, ok := <-l.conns
	if !ok {
		return nil, net.ErrClosed
	}
	return c, nil
}
func (l pipeListener) Close() error   { return nil }
func (l pipeListener) Addr() net.Addr { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 9090} }

type fromConn struct {
	net.Conn
	from net.Addr
}

func (c fromConn) RemoteAddr() net.Addr { return c.from }

// dial queues a connection from ip and returns the client's end.
func (l pipeListener) dial(ip string) net.Conn {
	server, client := net.Pipe()
	l.conns <- fromConn{Conn: server, from: &net.TCPAddr{IP: net.ParseIP(ip), Port: 40000}}
	return client
}

// closedAtOnce reports whether the server closed the client's end c.
func closedAtOnce(c net.Conn) bool {
	c.SetReadDeadline(time.Now().Add(time.Second))
	_, err := c.Read(make([]byte, 1))
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrClosedPipe)
}

// One host holds at most 16 connections, and all hosts but loopback 256: past either,
// a connection is closed at once and the next one is served (audit 62: connections
// were held without bound).
func TestConnectionsAreBounded(t *testing.T) {
	pl := pipeListener{conns: make(chan net.Conn, 1)}
	ln := newLimitListener(pl)
	accepted := make(chan net.Conn, 1)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				close(accepted)
				return
			}
			accepted <- c
		}
	}()
	defer close(pl.conns)
	accept := func(ip string) (server net.Conn, client net.Conn) {
		t.Helper()
		client = pl.dial(ip)
		select {
		case server = <-accepted:
			return server, client
		case <-time.After(time.Second):
			if !closedAtOnce(client) {
				t.Fatalf("a connection from %s was neither accepted nor closed", ip)
			}
			return nil, client
		}
	}
	var held []net.Conn
	for i := range maxConnsPerHost {
		s, _ := accept("192.0.2.1")
		if s == nil {
			t.Fatalf("connection %d from one host refused", i)
		}
		held = append(held, s)
	}
	if s, _ := accept("192.0.2.1"); s != nil {
		t.Fatal("a 17th connection from one host was accepted")
	}
	if s, _ := accept("2001:db8::1"); s == nil {
		t.Fatal("another host was refused")
	} else {
		held = append(held, s)
	}
	for i := range maxConnsPerHost - 1 { // the same /64
		if s, _ := accept(fmt.Sprintf("2001:db8::%x", i+2)); s == nil {
			t.Fatalf("connection %d from the /64 refused", i)
		} else {
			held = append(held, s)
		}
	}
	if s, _ := accept("2001:db8::ffff"); s != nil {
		t.Fatal("a 17th connection from one /64 was accepted")
	}
	held[0].Close() // its place goes back
	held = held[1:]
	if s, _ := accept("192.0.2.1"); s == nil {
		t.Fatal("a connection closed did not give its place back")
	} else {
		held = append(held, s)
	}
	for h := 2; len(held) < maxConns; h++ {
		for range min(maxConnsPerHost, maxConns-len(held)) {
			s, _ := accept(fmt.Sprintf("198.51.100.%d", h))
			if s == nil {
				t.Fatalf("refused at %d connections", len(held))
			}
			held = append(held, s)
		}
	}
	if s, _ := accept("203.0.113.9"); s != nil {
		t.Fatalf("connection %d accepted", maxConns+1)
	}
	if s, _ := accept("127.0.0.1"); s == nil {
		t.Fatal("a loopback probe was refused with the remote connections all taken")
	}
}

// Through the server: the 17th keep-alive connection from one host is closed, and the
// others are served as before.
func TestTheEndpointClosesConnectionsPastItsBound(t *testing.T) {
	s := NewServer(NewMetrics(), Checks{}, Backup{}, nil)
	addr, err := s.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Shutdown(t.Context())
	get := func(c net.Conn) error {
		if _, err := fmt.Fprintf(c, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
			return err
		}
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		_, err := bufio.NewReader(c).ReadString('\n')
		return err
	}
	var conns []net.Conn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for i := range maxConnsPerHost + 1 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
		err = get(c)
		if i < maxConnsPerHost && err != nil {
			t.Fatalf("connection %d: %v", i, err)
		}
		if i == maxConnsPerHost && err == nil {
			t.Fatal("the 17th keep-alive connection was served")
		}
	}
	if err := get(conns[0]); err != nil {
		t.Fatalf("a held connection is no longer served: %v", err)
	}
}
