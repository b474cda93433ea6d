package main

import (
	"flag"
	"fmt"
	"io"
	"strings"
)

// about is what --help says before the flags: what huecast is, and how it
// is usually started.
const about = `huecast: one colour, live on every screen in the room.

Start huecast on several machines of one network: each opens a window with a
big circle and colour buttons, and a click on any of them (or keys 1-6, or Tab
to a colour and Enter) turns every circle that colour. The first peer hosts
the room's hub and advertises it over mDNS; the others find it and join, and
when the host leaves another takes over with the colour kept. Phones join from
the web page the hub serves (the window shows its address and a QR code).

Usage:
  huecast [flags]

Examples:
  huecast                           a window in room "lobby": join it or host it
  huecast --room 4b --name Ana      another room, under another name
  huecast --join 192.168.1.20:7788  join that hub by address (no mDNS needed)
  huecast --no-mdns                 host here, send no multicast; others --join
  huecast --rooms                   list the rooms nearby (JSON lines), and exit
  huecast --headless                no window: JSON events on stdout; a colour
                                    typed on stdin (blue, #1e90ff) sets it
  HUECAST_PASSPHRASE='three words' huecast
                                    a room only those with the passphrase join
`

const helpWidth = 78 // wrap flag descriptions for an 80-column terminal

// argNames name the value each flag takes, as --help shows it; a flag not
// listed gets its type's name.
var argNames = map[string]string{
	"room": "NAME", "name": "NAME", "join": "ADDR", "listen": "ADDR", "iface": "NAMES",
	"passphrase": "WORDS", "max-peers": "N", "color-rate": "R", "log-file": "PATH", "flip": "WHEN", "state": "PATH",
}

// envDefaults are flags whose default comes from the environment and is not
// printed: a passphrase must not be, and the state file's path, which their
// meaning describes in words, is this machine's and too long for a line.
var envDefaults = map[string]bool{"passphrase": true, "state": true}

// usage writes --help's text to w: about, then every flag of fs with its
// argument, its meaning and its default.
func usage(w io.Writer, fs *flag.FlagSet) {
	var b strings.Builder
	b.WriteString(about)
	b.WriteString("\nFlags:\n")
	fs.VisitAll(func(f *flag.Flag) {
		arg, meaning := flag.UnquoteUsage(f)
		dashes := "--"
		if len(f.Name) == 1 {
			dashes = "-"
		}
		b.WriteString("  " + dashes + f.Name)
		if arg != "" {
			if name, ok := argNames[f.Name]; ok {
				arg = name
			}
			b.WriteString(" " + strings.ToUpper(arg))
		}
		if def := f.DefValue; def != "" && def != "false" && def != "0" && !envDefaults[f.Name] {
			if g, ok := f.Value.(flag.Getter); ok {
				if _, isString := g.Get().(string); isString {
					def = fmt.Sprintf("%q", def)
				}
			}
			meaning += " (default " + def + ")"
		}
		b.WriteString("\n")
		wrap(&b, meaning, "        ", helpWidth)
	})
	b.WriteString("\nLogs go to stderr; a window also writes them to\n  " + defaultLogFile() + "\n")
	b.WriteString("(--log-file names another file). More: https://github.com/huecast/huecast\n")
	io.WriteString(w, b.String())
}

// shortUsage is what a bad flag gets, on stderr, after the flag package's
// own message.
func shortUsage(w io.Writer) {
	io.WriteString(w, "usage: huecast [flags]; huecast --help says what it does and lists them\n")
}

// wrap writes text to b in lines of at most width columns, each starting
// with indent.
func wrap(b *strings.Builder, text, indent string, width int) {
	line := indent
	for _, word := range strings.Fields(text) {
		if line != indent && len(line)+1+len(word) > width {
			b.WriteString(line + "\n")
			line = indent
		}
		if line != indent {
			line += " "
		}
		line += word
	}
	b.WriteString(line + "\n")
}
