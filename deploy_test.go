package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestSystemdUnitVerifies checks deploy/newsbot.service with systemd-analyze, pointing
// ExecStart at a freshly built binary (skipped where systemd is not installed).
func TestSystemdUnitVerifies(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	if _, err := exec.LookPath("systemd-analyze"); err != nil {
		t.Skip("systemd-analyze is not installed")
	}
	unit, err := os.ReadFile("deploy/newsbot.service")
	if err != nil {
		t.Fatal(err)
	}
	bin := newsbotBinary(t)
	text := strings.ReplaceAll(string(unit), "/usr/local/bin/newsbot", bin)
	path := filepath.Join(t.TempDir(), "newsbot.service")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("systemd-analyze", "verify", path).CombinedOutput()
	if err != nil || len(strings.TrimSpace(string(out))) > 0 {
		t.Fatalf("systemd-analyze verify: %v\n%s", err, out)
	}
}
