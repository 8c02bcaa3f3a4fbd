package ops_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/newsbot/newsbot/ops"
	"github.com/newsbot/newsbot/storage"
)

// A client that starts a backup and then stops reading must not hold the database:
// writes that grow the file (and so need every read transaction closed) go on.
func TestSlowBackupReaderDoesNotStallWrites(t *testing.T) {
	ctx := context.Background()
	db, err := storage.Open(filepath.Join(t.TempDir(), "db"), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	body := strings.Repeat("x", 4000)
	add := func(from, n int) {
		for i := from; i < from+n; i += 100 {
			var batch []storage.Item
			for j := i; j < i+100; j++ {
				batch = append(batch, storage.Item{Key: fmt.Sprint("k", j), Title: "t", Text: body})
			}
			if _, err := db.AddItems(ctx, "f", batch, time.Now()); err != nil {
				t.Fatal(err)
			}
		}
	}
	add(0, 2000) // ~8 MB: more than the socket buffers hold
	srv := ops.NewServer(ops.NewMetrics(), ops.Checks{}, ops.Backup{Token: "operator-token-0123456789", Snapshot: db.BackupTo, TempDir: t.TempDir()}, nil)
	addr, err := srv.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown(ctx)

	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "GET /backup HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer operator-token-0123456789\r\n\r\n")
	buf := make([]byte, 512)
	if _, err := conn.Read(buf); err != nil || !strings.HasPrefix(string(buf), "HTTP/1.1 200") {
		t.Fatalf("backup answer %q, %v", buf, err)
	}
	// The client reads nothing more. Writes that grow the file must still finish.
	done := make(chan struct{})
	go func() { add(2000, 4000); close(done) }()
	select {
	case <-done:
	case <-time.After(60 * time.Second):
		t.Fatal("writes stalled behind a backup client that stopped reading")
	}
}

// The server bounds every phase of a request: a client that never finishes its headers
// is disconnected.
func TestSlowHeadersAreCutOff(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for the server's header timeout")
	}
	srv := ops.NewServer(ops.NewMetrics(), ops.Checks{}, ops.Backup{}, nil)
	addr, err := srv.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown(context.Background())
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "GET /metrics HTTP/1.1\r\nHost: x\r\n") // never ends the headers
	conn.SetReadDeadline(time.Now().Add(60 * time.Second))
	buf := make([]byte, 512)
	n, _ := conn.Read(buf)
	if resp := string(buf[:n]); resp != "" && !strings.Contains(resp, "408") && !strings.Contains(resp, "400") {
		t.Fatalf("server answered a request whose headers never ended: %q", resp)
	}
	if _, err := conn.Read(buf); err == nil {
		t.Fatal("the connection is still open")
	}
	_ = http.StatusOK
}
