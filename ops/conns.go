package ops

import (
	"net"
	"net/http"
	"sync"
	"time"
)

// Bounds on the endpoint's open connections. Every phase of a request is timed, but a
// client sending one request a minute on each of many keep-alive connections held a
// goroutine, a descriptor and some 12 KiB for each, without end (audit 62: 2,000 took
// 23 MB). At a bound, the connection that has waited longest for a request (a new one
// that sent nothing yet, or an idle keep-alive one) is closed to make room: holding
// connections open must not lock anyone out (review 64: sixteen hosts of one /60, each
// with sixteen idle keep-alive connections, filled every place, and a monitor's probe
// was refused). Only when every connection in the way is busy with a request, which the
// server's timeouts end, is the new one closed at once.
const (
	// maxConnsPerHost bounds one host's connections (an IPv6 /64 counts as one host:
	// one machine is given a whole /64), loopback too.
	maxConnsPerHost = 16
	// maxConns bounds all connections but loopback ones, so that a local probe or
	// scrape still gets in when the rest are taken.
	maxConns = 256
)

// limitListener keeps the connections it accepts within the bounds. Its connState
// must be the server's ConnState: it says which connections wait for a request.
type limitListener struct {
	net.Listener
	mu      sync.Mutex
	open    int                        // connections held, loopback aside
	byHost  map[string]int             // connections held, by host
	waiting map[*limitedConn]time.Time // connections between requests, since when
}

func newLimitListener(ln net.Listener) *limitListener {
	return &limitListener{Listener: ln, byHost: map[string]int{}, waiting: map[*limitedConn]time.Time{}}
}

func (l *limitListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		host, loopback := hostOf(c.RemoteAddr())
		if !l.admit(host, loopback) {
			c.Close()
			continue
		}
		lc := &limitedConn{Conn: c, host: host, loopback: loopback}
		lc.release = sync.OnceFunc(func() {
			l.mu.Lock()
			defer l.mu.Unlock()
			if l.byHost[host]--; l.byHost[host] == 0 {
				delete(l.byHost, host)
			}
			if !loopback {
				l.open--
			}
			lc.released = true
			delete(l.waiting, lc)
		})
		l.mu.Lock()
		l.waiting[lc] = time.Now() // no request read yet
		l.mu.Unlock()
		return lc, nil
	}
}

// admit takes a place for a connection from host, closing the connection that has
// waited longest for a request where a bound is reached; false when every connection
// in the way is busy with one.
func (l *limitListener) admit(host string, loopback bool) bool {
	for range 2 * maxConns { // each pass closes one connection; bounded all the same
		l.mu.Lock()
		hostFull := l.byHost[host] >= maxConnsPerHost
		allFull := !loopback && l.open >= maxConns
		if !hostFull && !allFull {
			l.byHost[host]++
			if !loopback {
				l.open++
			}
			l.mu.Unlock()
			return true
		}
		var victim *limitedConn
		var since time.Time
		for c, t := range l.waiting {
			inTheWay := (hostFull && c.host == host) || (!hostFull && !c.loopback)
			if inTheWay && (victim == nil || t.Before(since)) {
				victim, since = c, t
			}
		}
		if victim != nil {
			delete(l.waiting, victim)
		}
		l.mu.Unlock()
		if victim == nil {
			return false
		}
		victim.Close() // gives its place back at once
	}
	return false
}

// connState follows the server's connections: those between requests may be closed
// to make room.
func (l *limitListener) connState(c net.Conn, st http.ConnState) {
	lc, ok := c.(*limitedConn)
	if !ok {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case lc.released:
	case st == http.StateNew || st == http.StateIdle:
		l.waiting[lc] = time.Now()
	default:
		delete(l.waiting, lc)
	}
}

// hostOf is the host a connection counts against, and whether it is loopback.
func hostOf(addr net.Addr) (host string, loopback bool) {
	tcp, ok := addr.(*net.TCPAddr)
	if !ok {
		return addr.String(), false
	}
	ip := tcp.IP
	if v4 := ip.To4(); v4 != nil {
		return v4.String(), v4.IsLoopback()
	}
	return ip.Mask(net.CIDRMask(64, 128)).String(), ip.IsLoopback()
}

// limitedConn gives its place back when closed (the server closes every connection it
// is done with, idle ones included).
type limitedConn struct {
	net.Conn
	host     string
	loopback bool
	release  func()
	released bool // under the listener's mu
}

func (c *limitedConn) Close() error {
	c.release()
	return c.Conn.Close()
}
