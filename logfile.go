package main

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
)

const (
	// maxLogSize is the size past which a log file is moved to NAME.1 when
	// huecast starts, so a window that runs every day keeps two files, not
	// a growing one.
	maxLogSize = 1 << 20
	// noLogFile, given as --log-file, writes logs to stderr only.
	noLogFile = "-"
)

// defaultLogFile is where a window's logs go, in the user's config
// directory: ~/.config/huecast/huecast.log on Linux,
// %AppData%\huecast\huecast.log on Windows, ~/Library/Application
// Support/huecast/huecast.log on macOS. A Windows GUI program has no
// console, so without the file its logs would go nowhere.
func defaultLogFile() string {
	dir, err := os.UserConfigDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "huecast", "huecast.log")
}

// newLogger returns the program's logger at level, writing to stderr and to
// the file path; a window with no path given logs to defaultLogFile as well.
// A path given that cannot be opened is an error; the default one only a
// warning, since the window works without it. The caller should call the
// returned close when done.
func newLogger(path string, window bool, level slog.Level) (*slog.Logger, func(), error) {
	given := path != ""
	if !given && window {
		path = defaultLogFile()
	}
	out, closeLog, err := logTo(path)
	if err != nil && given {
		return nil, nil, err
	}
	log := slog.New(slog.NewTextHandler(out, &slog.HandlerOptions{Level: level}))
	if err != nil {
		log.Warn("logging to stderr only", "err", err)
	} else if path != "" && path != noLogFile {
		// Where a file starts, so one read later shows which run is which.
		log.Info("huecast started", "version", version, "pid", os.Getpid(), "log", path)
	}
	return log, closeLog, nil
}

// logTo returns where logs go: stderr, and the file path as well unless it
// is "" or noLogFile. The caller should call the returned close when done.
// The file is appended to; one over maxLogSize is first renamed to path.1.
func logTo(path string) (io.Writer, func(), error) {
	if path == "" || path == noLogFile {
		return os.Stderr, func() {}, nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return os.Stderr, func() {}, fmt.Errorf("log file: %w", err)
	}
	if fi, err := os.Stat(path); err == nil && fi.Size() > maxLogSize {
		_ = os.Rename(path, path+".1") // on failure the old file is appended to
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return os.Stderr, func() {}, fmt.Errorf("log file: %w", err)
	}
	return tee{f, os.Stderr}, func() { f.Close() }, nil
}

// tee writes to a file and to stderr. A GUI program on Windows may have no
// stderr at all: its errors are ignored, so the file still gets every line.
type tee struct {
	file   *os.File
	stderr io.Writer
}

func (t tee) Write(p []byte) (int, error) {
	_, _ = t.stderr.Write(p)
	return t.file.Write(p)
}
