// Command pecheck checks that a Windows executable is what huecast ships: an
// x86-64 GUI program with an icon and a version resource holding the version.
//
//	go run ./scripts/pecheck -version 0.1.0 dist/huecast-0.1.0-windows-amd64.exe
//
// It reads the resources with the standard library's debug/pe, so the check
// needs no Windows tools, and prints what it found. It exits 1 when a check
// fails and 2 when the file cannot be read as a PE file.
package main

import (
	"debug/pe"
	"errors"
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"
)

// Resource type IDs, from winuser.h.
const (
	rtIcon      = 3
	rtGroupIcon = 14
	rtVersion   = 16
	rtManifest  = 24
)

const subsystemWindowsGUI = 2 // IMAGE_SUBSYSTEM_WINDOWS_GUI

func main() {
	want := flag.String("version", "", "the version the resource must hold, such as 0.1.0 (required)")
	flag.Parse()
	if flag.NArg() != 1 || *want == "" {
		fmt.Fprintln(os.Stderr, "usage: pecheck -version X.Y.Z FILE.exe")
		os.Exit(2)
	}
	info, err := inspect(flag.Arg(0))
	if err != nil {
		fmt.Fprintln(os.Stderr, "pecheck:", err)
		os.Exit(2)
	}
	fmt.Print(info)
	if problems := info.check(*want); len(problems) > 0 {
		for _, p := range problems {
			fmt.Fprintln(os.Stderr, "pecheck: FAIL:", p)
		}
		os.Exit(1)
	}
	fmt.Println("pecheck: ok")
}

// exeInfo is what pecheck found in one executable.
type exeInfo struct {
	Machine    uint16
	Subsystem  uint16
	Resources  map[uint32]int // resource type ID -> number of resources
	Fixed      fixedVersion   // VS_FIXEDFILEINFO
	HasFixed   bool
	StringInfo map[string]string // StringFileInfo entries, such as ProductVersion
}

// fixedVersion holds the numeric versions of VS_FIXEDFILEINFO.
type fixedVersion struct {
	File, Product [4]uint16
}

func (v fixedVersion) String() string {
	f, p := v.File, v.Product
	return fmt.Sprintf("FileVersion %d.%d.%d.%d, ProductVersion %d.%d.%d.%d",
		f[0], f[1], f[2], f[3], p[0], p[1], p[2], p[3])
}

func (e exeInfo) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "machine: %#x\nsubsystem: %d\n", e.Machine, e.Subsystem)
	ids := make([]int, 0, len(e.Resources))
	for id := range e.Resources {
		ids = append(ids, int(id))
	}
	sort.Ints(ids)
	for _, id := range ids {
		fmt.Fprintf(&b, "resource type %d: %d\n", id, e.Resources[uint32(id)])
	}
	if e.HasFixed {
		fmt.Fprintf(&b, "fixed: %s\n", e.Fixed)
	}
	keys := make([]string, 0, len(e.StringInfo))
	for k := range e.StringInfo {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, "string %s: %q\n", k, e.StringInfo[k])
	}
	return b.String()
}

// check returns one sentence per way the executable differs from a huecast
// release of version want ("0.1.0").
func (e exeInfo) check(want string) []string {
	var problems []string
	if e.Machine != pe.IMAGE_FILE_MACHINE_AMD64 {
		problems = append(problems, fmt.Sprintf("machine is %#x, want x86-64 (%#x)", e.Machine, pe.IMAGE_FILE_MACHINE_AMD64))
	}
	if e.Subsystem != subsystemWindowsGUI {
		problems = append(problems, fmt.Sprintf("subsystem is %d, want the GUI subsystem (%d): a console window would open beside the app", e.Subsystem, subsystemWindowsGUI))
	}
	if e.Resources[rtGroupIcon] == 0 || e.Resources[rtIcon] == 0 {
		problems = append(problems, "no icon resource: Explorer would show a blank program icon")
	}
	if e.Resources[rtManifest] == 0 {
		problems = append(problems, "no manifest resource")
	}
	if !e.HasFixed {
		return append(problems, "no version resource")
	}
	prefix := want + "."
	for _, v := range []struct {
		name string
		num  [4]uint16
	}{{"FileVersion", e.Fixed.File}, {"ProductVersion", e.Fixed.Product}} {
		got := fmt.Sprintf("%d.%d.%d.%d", v.num[0], v.num[1], v.num[2], v.num[3])
		if !strings.HasPrefix(got, prefix) {
			problems = append(problems, fmt.Sprintf("fixed %s is %s, want %s.<build>", v.name, got, want))
		}
	}
	if got := e.StringInfo["ProductVersion"]; !strings.HasPrefix(got+".", prefix) {
		problems = append(problems, fmt.Sprintf("string ProductVersion is %q, want %s or %s.<build>", got, want, want))
	}
	return problems
}

// inspect reads the header fields and resources pecheck cares about.
func inspect(path string) (exeInfo, error) {
	f, err := pe.Open(path)
	if err != nil {
		return exeInfo{}, fmt.Errorf("open %s: %w", path, err)
	}
	defer f.Close()

	info := exeInfo{Machine: f.Machine, Resources: map[uint32]int{}}
	oh, ok := f.OptionalHeader.(*pe.OptionalHeader64)
	if !ok {
		return info, fmt.Errorf("%s: not a PE32+ (64-bit) image", path)
	}
	info.Subsystem = oh.Subsystem

	sec := f.Section(".rsrc")
	if sec == nil {
		return info, nil // no resources: check reports what is missing
	}
	data, err := sec.Data()
	if err != nil {
		return info, fmt.Errorf("read .rsrc: %w", err)
	}
	rs := rsrc{data: data, base: sec.VirtualAddress}
	if err := rs.walk(0, 0, 0, func(typ uint32, blob []byte) error {
		info.Resources[typ]++
		if typ != rtVersion || info.HasFixed {
			return nil
		}
		fixed, strs, err := parseVersionInfo(blob)
		if err != nil {
			return fmt.Errorf("version resource: %w", err)
		}
		info.Fixed, info.HasFixed, info.StringInfo = fixed, true, strs
		return nil
	}); err != nil {
		return info, err
	}
	return info, nil
}

// rsrc is the raw .rsrc section; base is its virtual address, because data
// entries point at their bytes by RVA while directories use section offsets.
type rsrc struct {
	data []byte
	base uint32
}

var errTruncated = errors.New("resource data truncated")

func (r rsrc) u16(off uint32) (uint16, error) {
	if uint64(off)+2 > uint64(len(r.data)) {
		return 0, errTruncated
	}
	return uint16(r.data[off]) | uint16(r.data[off+1])<<8, nil
}

func (r rsrc) u32(off uint32) (uint32, error) {
	if uint64(off)+4 > uint64(len(r.data)) {
		return 0, errTruncated
	}
	return uint32(r.data[off]) | uint32(r.data[off+1])<<8 | uint32(r.data[off+2])<<16 | uint32(r.data[off+3])<<24, nil
}

// walk visits the resource tree (type, name, language) below the directory at
// off and calls visit with the type ID and bytes of every leaf.
func (r rsrc) walk(off uint32, depth int, typ uint32, visit func(typ uint32, blob []byte) error) error {
	if depth > 2 {
		return errors.New("resource tree deeper than type/name/language")
	}
	named, err := r.u16(off + 12)
	if err != nil {
		return err
	}
	ids, err := r.u16(off + 14)
	if err != nil {
		return err
	}
	for i := uint32(0); i < uint32(named)+uint32(ids); i++ {
		entry := off + 16 + 8*i
		name, err := r.u32(entry)
		if err != nil {
			return err
		}
		target, err := r.u32(entry + 4)
		if err != nil {
			return err
		}
		t := typ
		if depth == 0 {
			t = name // named types (high bit set) never match the IDs checked
		}
		if target&0x80000000 != 0 {
			if err := r.walk(target&0x7fffffff, depth+1, t, visit); err != nil {
				return err
			}
			continue
		}
		rva, err := r.u32(target)
		if err != nil {
			return err
		}
		size, err := r.u32(target + 4)
		if err != nil {
			return err
		}
		start := uint64(rva) - uint64(r.base)
		if rva < r.base || start+uint64(size) > uint64(len(r.data)) {
			return fmt.Errorf("resource at RVA %#x size %d lies outside .rsrc", rva, size)
		}
		if err := visit(t, r.data[start:start+uint64(size)]); err != nil {
			return err
		}
	}
	return nil
}
