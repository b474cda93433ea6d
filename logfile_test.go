package main

import (
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestAWindowLogsToTheConfigDirectory(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir()) // os.UserConfigDir on Linux
	t.Setenv("AppData", os.Getenv("XDG_CONFIG_HOME"))
	log, closeLog, err := newLogger("", true, slog.LevelInfo)
	if err != nil {
		t.Fatal(err)
	}
	log.Info("joined", "url", "ws://127.0.0.1:7788/ws")
	closeLog()
	data, err := os.ReadFile(defaultLogFile())
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"huecast started", "version=" + version, "msg=joined"} {
		if !strings.Contains(string(data), want) {
			t.Errorf("%s lacks %q:\n%s", defaultLogFile(), want, data)
		}
	}
}

func TestHeadlessLogsToStderrOnlyUnlessAsked(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	log, closeLog, err := newLogger("", false, slog.LevelInfo)
	if err != nil {
		t.Fatal(err)
	}
	log.Info("hello")
	closeLog()
	if _, err := os.Stat(defaultLogFile()); !os.IsNotExist(err) {
		t.Fatalf("headless wrote %s (stat: %v)", defaultLogFile(), err)
	}

	path := filepath.Join(t.TempDir(), "sub", "h.log")
	log, closeLog, err = newLogger(path, false, slog.LevelInfo)
	if err != nil {
		t.Fatal(err)
	}
	log.Info("hello")
	closeLog()
	if data, err := os.ReadFile(path); err != nil || !strings.Contains(string(data), "msg=hello") {
		t.Fatalf("--log-file %s: %q, %v", path, data, err)
	}
}

func TestALogFileGivenThatCannotBeOpenedIsAnError(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	// A directory under a regular file cannot be made.
	if _, _, err := newLogger(filepath.Join(file, "huecast.log"), true, slog.LevelInfo); err == nil {
		t.Fatal("no error for a log file under a regular file")
	}
	// The default one failing only costs the file: stderr still works.
	t.Setenv("XDG_CONFIG_HOME", file)
	log, closeLog, err := newLogger("", true, slog.LevelInfo)
	if err != nil || log == nil {
		t.Fatalf("default log file unusable: %v, want a stderr-only logger", err)
	}
	closeLog()
}

func TestALargeLogIsMovedAsideAtStart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "huecast.log")
	old := strings.Repeat("x", maxLogSize+1)
	if err := os.WriteFile(path, []byte(old), 0o600); err != nil {
		t.Fatal(err)
	}
	log, closeLog, err := newLogger(path, true, slog.LevelInfo)
	if err != nil {
		t.Fatal(err)
	}
	log.Info("fresh")
	closeLog()
	if data, err := os.ReadFile(path + ".1"); err != nil || string(data) != old {
		t.Fatalf("%s.1: %d bytes, %v; want the old log", path, len(data), err)
	}
	if data, err := os.ReadFile(path); err != nil || len(data) > 1000 || !strings.Contains(string(data), "msg=fresh") {
		t.Fatalf("%s: %d bytes, %v; want only the new run", path, len(data), err)
	}
}
