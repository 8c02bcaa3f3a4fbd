package ops

import (
	"io"
	"net"
	"net/http"
	"sync"
	"time"
)

// Bounds on the endpoint's open connections. Every phase of a request is timed, but a
// client sending one request a minute on each of many keep-alive connections held a
// goroutine, a descriptor and some 12 KiB for each, without end (audit 62: 2,000 took
// 23 MB). At a bound, the connection that has waited longest for a request (a new one
// that sent nothing yet, or an idle keep-alive one) is closed to make room (review 64:
// sixteen hosts of one /60, each with sixteen idle keep-alive connections, filled every
// place, and a monitor's probe was refused), a new one only once it had newGrace to
// send its request; failing that, the one whose request has run longest, among those
// open activeGrace (review 65: requests kept busy by reading the answer slowly held
// every place for the 30 s of the write timeout; review 66: or by sending one request
// after another on the same connection). When all places are taken, the network
// holding the most loses one first, without the graces if it holds many (review 68:
// see victim). Only a backup in progress is never closed for room. The new connection
// is refused only when every one in the way is younger than that.
const (
	// maxConnsPerHost bounds one host's connections (an IPv6 /64 counts as one host:
	// one machine is given a whole /64), loopback too.
	maxConnsPerHost = 16
	// maxConns bounds all connections but loopback ones, so that a local probe or
	// scrape still gets in when the rest are taken.
	maxConns = 256
	// activeGrace is how long a connection busy with a request is kept open before it
	// may be closed to make room: /healthz, /readyz and /metrics answer in
	// milliseconds.
	activeGrace = 5 * time.Second
	// newGrace is how long a new connection may take to send its first request before
	// it may be closed to make room: a probe must not be closed by the next stranger
	// before its request arrives (review 67).
	newGrace = time.Second
	// fewPerNetwork: a network holding more places than this, when all are taken,
	// loses them first, and its hosts holding more than fewPerHost without the graces.
	fewPerNetwork = 4
	fewPerHost    = 2
)

// limitListener keeps the connections it accepts within the bounds. Its connState
// must be the server's ConnState: it says which connections wait for a request.
type limitListener struct {
	net.Listener
	now     func() time.Time
	mu      sync.Mutex
	open    int                        // connections held, loopback aside
	byHost  map[string]int             // connections held, by host
	byNet   map[string]int             // connections held, loopback aside, by network
	waiting map[*limitedConn]time.Time // connections between requests, since when
	busy    map[*limitedConn]time.Time // connections busy with a request, since when
}

func newLimitListener(ln net.Listener) *limitListener {
	return &limitListener{Listener: ln, now: time.Now, byHost: map[string]int{}, byNet: map[string]int{},
		waiting: map[*limitedConn]time.Time{}, busy: map[*limitedConn]time.Time{}}
}

func (l *limitListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		host, network, loopback := hostOf(c.RemoteAddr())
		if !l.admit(host, network, loopback) {
			c.Close()
			continue
		}
		lc := &limitedConn{Conn: c, host: host, network: network, loopback: loopback, accepted: l.now(), fresh: true}
		lc.release = sync.OnceFunc(func() {
			l.mu.Lock()
			defer l.mu.Unlock()
			if l.byHost[host]--; l.byHost[host] == 0 {
				delete(l.byHost, host)
			}
			if !loopback {
				l.open--
				if l.byNet[network]--; l.byNet[network] == 0 {
					delete(l.byNet, network)
				}
			}
			lc.released = true
			delete(l.waiting, lc)
			delete(l.busy, lc)
		})
		l.mu.Lock()
		l.waiting[lc] = lc.accepted // no request read yet
		l.mu.Unlock()
		return lc, nil
	}
}

// admit takes a place for a connection from host, closing the connection that has
// waited longest for a request where a bound is reached; false when every connection
// in the way is busy with one.
func (l *limitListener) admit(host, network string, loopback bool) bool {
	for range 2 * maxConns { // each pass closes one connection; bounded all the same
		l.mu.Lock()
		hostFull := l.byHost[host] >= maxConnsPerHost
		allFull := !loopback && l.open >= maxConns
		if !hostFull && !allFull {
			l.byHost[host]++
			if !loopback {
				l.open++
				l.byNet[network]++
			}
			l.mu.Unlock()
			return true
		}
		victim := l.victim(host, hostFull)
		if victim != nil {
			delete(l.waiting, victim)
			delete(l.busy, victim)
			victim.doomed = true // closed below: protect must not take it (review 69)
		}
		l.mu.Unlock()
		if victim == nil {
			return false
		}
		victim.Close() // gives its place back at once
	}
	return false
}

// pick is a connection that may be closed to make room, with what ranks it.
type pick struct {
	c                *limitedConn
	share, hostShare int // places its network and its host hold (0 at a host's own bound)
	waiting          bool
	since            time.Time
}

// before reports whether p goes before q: the network holding more, then the host
// holding more, then a connection waiting for a request before a busy one, then the
// longest waiting or the longest request.
func (p pick) before(q pick) bool {
	switch {
	case p.share != q.share:
		return p.share > q.share
	case p.hostShare != q.hostShare:
		return p.hostShare > q.hostShare
	case p.waiting != q.waiting:
		return p.waiting
	}
	return p.since.Before(q.since)
}

// victim is the connection to close for a new one from host, or nil; called with mu
// held. At the host's own bound it is one of the host's. At the bound of all, it is
// one of the network holding the most places (review 68: a flood of new connections
// from one /59, each with a second's grace, refused every probe; a lone probe or
// scrape is now the last to go). Then a connection waiting for a request goes before
// a busy one, the longest waiting or the longest request first. A network holding few
// places, and a host at its own bound, keep the graces: a new connection has newGrace
// to send its request, and a busy one is closed only once open activeGrace.
func (l *limitListener) victim(host string, hostFull bool) *limitedConn {
	now := l.now()

	var best pick
	consider := func(c *limitedConn, since time.Time, waiting bool) {
		if c.protected || (hostFull && c.host != host) || (!hostFull && c.loopback) {
			return
		}
		share, hostShare := 0, 0
		if !hostFull {
			share, hostShare = l.byNet[c.network], l.byHost[c.host]
		}
		// A host holding one or two places keeps the graces in any network: a lone
		// probe or scrape beside a neighbour holding many (review 69).
		if share <= fewPerNetwork || hostShare <= fewPerHost {
			if waiting && c.fresh && c.accepted.After(now.Add(-newGrace)) {
				return
			}
			if !waiting && c.accepted.After(now.Add(-activeGrace)) {
				return
			}
		}
		p := pick{c, share, hostShare, waiting, since}
		if best.c == nil || p.before(best) {
			best = p
		}
	}
	for c, since := range l.waiting {
		consider(c, since, true)
	}
	for c, since := range l.busy {
		consider(c, since, false)
	}
	return best.c
}

// protect keeps c from being closed to make room (an authorized backup), and reports
// false when c is being closed already.
func (l *limitListener) protect(c *limitedConn) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if c.doomed || c.released {
		return false
	}
	c.protected = true
	return true
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
		l.waiting[lc] = l.now()
		delete(l.busy, lc)
		if st == http.StateIdle {
			lc.fresh = false
			lc.protected = false // a backup's protection ends with its request
		}
	case st == http.StateActive:
		// Busy since this request started; closed for room only once open
		// activeGrace, however many requests it sent (review 66), and the longest
		// request first, so that a scrape just begun is the last to go (review 67).
		l.busy[lc] = l.now()
		lc.fresh = false
		delete(l.waiting, lc)
	default:
		delete(l.waiting, lc)
		delete(l.busy, lc)
	}
}

// hostOf is the host a connection counts against, the network it is ranked by when
// all places are taken (an IPv4 /24, an IPv6 /48), and whether it is loopback.
func hostOf(addr net.Addr) (host, network string, loopback bool) {
	tcp, ok := addr.(*net.TCPAddr)
	if !ok {
		return addr.String(), addr.String(), false
	}
	ip := tcp.IP
	if v4 := ip.To4(); v4 != nil {
		return v4.String(), v4.Mask(net.CIDRMask(24, 32)).String(), v4.IsLoopback()
	}
	return ip.Mask(net.CIDRMask(64, 128)).String(), ip.Mask(net.CIDRMask(48, 128)).String() + "/48", ip.IsLoopback()
}

// limitedConn gives its place back when closed (the server closes every connection it
// is done with, idle ones included).
type limitedConn struct {
	net.Conn
	host     string
	network  string
	loopback bool
	accepted time.Time
	release  func()
	// Under the listener's mu: released once closed, doomed once chosen to be closed
	// for room, protected from that (a backup), fresh until its first request.
	released, doomed, protected, fresh bool
}

func (c *limitedConn) Close() error {
	c.release()
	return c.Conn.Close()
}

// CloseWrite and ReadFrom pass through what the server uses of a TCP connection: a
// half-close before closing, so that a client reads a last answer (noBodies' 413)
// rather than a reset, and sendfile for a backup (review 69).
func (c *limitedConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

func (c *limitedConn) ReadFrom(r io.Reader) (int64, error) {
	if rf, ok := c.Conn.(io.ReaderFrom); ok {
		return rf.ReadFrom(r)
	}
	return io.Copy(struct{ io.Writer }{c.Conn}, r)
}
