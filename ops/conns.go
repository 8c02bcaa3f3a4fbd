package ops

import (
	"net"
	"sync"
)

// Bounds on the endpoint's open connections. Every phase of a request is timed, but a
// client sending one request a minute on each of many keep-alive connections held a
// goroutine, a descriptor and some 12 KiB for each, without end (audit 62: 2,000 took
// 23 MB). Past a bound a connection is closed at once rather than waited for, so that
// the accept loop keeps serving others.
const (
	// maxConnsPerHost bounds one remote host's connections (an IPv6 /64 counts as one
	// host: one machine is given a whole /64).
	maxConnsPerHost = 16
	// maxConns bounds all remote connections but loopback ones, so that a local probe
	// or scrape still gets in when the rest are taken.
	maxConns = 256
)

// limitListener closes, as soon as it accepts them, connections past the bounds.
type limitListener struct {
	net.Listener
	mu     sync.Mutex
	open   int            // connections held, loopback aside
	byHost map[string]int // connections held, by host
}

func newLimitListener(ln net.Listener) *limitListener {
	return &limitListener{Listener: ln, byHost: map[string]int{}}
}

func (l *limitListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		host, loopback := hostOf(c.RemoteAddr())
		l.mu.Lock()
		ok := l.byHost[host] < maxConnsPerHost && (loopback || l.open < maxConns)
		if ok {
			l.byHost[host]++
			if !loopback {
				l.open++
			}
		}
		l.mu.Unlock()
		if !ok {
			c.Close()
			continue
		}
		return &limitedConn{Conn: c, release: sync.OnceFunc(func() {
			l.mu.Lock()
			defer l.mu.Unlock()
			if l.byHost[host]--; l.byHost[host] == 0 {
				delete(l.byHost, host)
			}
			if !loopback {
				l.open--
			}
		})}, nil
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
	release func()
}

func (c *limitedConn) Close() error {
	c.release()
	return c.Conn.Close()
}
