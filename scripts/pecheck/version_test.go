package main

import (
	"debug/pe"
	"encoding/binary"
	"strings"
	"testing"
	"unicode/utf16"
)

// block encodes one VS_VERSIONINFO block the way resource compilers do.
func block(key string, value []byte, text bool, valueLen int, children ...[]byte) []byte {
	var b []byte
	put16 := func(v uint16) { b = binary.LittleEndian.AppendUint16(b, v) }
	put16(0) // length, patched below
	put16(uint16(valueLen))
	if text {
		put16(1)
	} else {
		put16(0)
	}
	for _, c := range utf16.Encode([]rune(key + "\x00")) {
		put16(c)
	}
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	b = append(b, value...)
	for _, c := range children {
		for len(b)%4 != 0 {
			b = append(b, 0)
		}
		b = append(b, c...)
	}
	binary.LittleEndian.PutUint16(b, uint16(len(b)))
	return b
}

func textBlock(key, value string) []byte {
	var v []byte
	for _, c := range utf16.Encode([]rune(value + "\x00")) {
		v = binary.LittleEndian.AppendUint16(v, c)
	}
	return block(key, v, true, len(v)/2)
}

func fixedInfo(file, product [4]uint16) []byte {
	v := make([]byte, 52)
	binary.LittleEndian.PutUint32(v, fixedSignature)
	binary.LittleEndian.PutUint32(v[4:], 0x00010000)
	binary.LittleEndian.PutUint32(v[8:], uint32(file[0])<<16|uint32(file[1]))
	binary.LittleEndian.PutUint32(v[12:], uint32(file[2])<<16|uint32(file[3]))
	binary.LittleEndian.PutUint32(v[16:], uint32(product[0])<<16|uint32(product[1]))
	binary.LittleEndian.PutUint32(v[20:], uint32(product[2])<<16|uint32(product[3]))
	return v
}

func TestParseVersionInfoReadsFixedAndStrings(t *testing.T) {
	blob := block("VS_VERSION_INFO", fixedInfo([4]uint16{0, 1, 0, 1}, [4]uint16{0, 1, 0, 1}), false, 52,
		block("StringFileInfo", nil, true, 0,
			block("040904B0", nil, true, 0,
				textBlock("FileDescription", "huecast"),
				textBlock("ProductVersion", "0.1.0.1"),
			),
		),
		block("VarFileInfo", nil, true, 0,
			block("Translation", []byte{0x09, 0x04, 0xb0, 0x04}, false, 4),
		),
	)
	fixed, strs, err := parseVersionInfo(blob)
	if err != nil {
		t.Fatal(err)
	}
	if want := [4]uint16{0, 1, 0, 1}; fixed.File != want || fixed.Product != want {
		t.Errorf("fixed = %v, want file and product %v", fixed, want)
	}
	if strs["ProductVersion"] != "0.1.0.1" || strs["FileDescription"] != "huecast" {
		t.Errorf("strings = %q, want ProductVersion 0.1.0.1 and FileDescription huecast", strs)
	}
}

func TestParseVersionInfoRejectsOtherBlocks(t *testing.T) {
	for name, blob := range map[string][]byte{
		"empty":         nil,
		"wrong key":     block("NOT_VERSION", fixedInfo([4]uint16{}, [4]uint16{}), false, 52),
		"no fixed info": block("VS_VERSION_INFO", nil, false, 0),
		"bad length":    {0xff, 0x00, 0x00, 0x00, 0x00, 0x00},
	} {
		t.Run(name, func(t *testing.T) {
			if _, _, err := parseVersionInfo(blob); err == nil {
				t.Error("parseVersionInfo succeeded, want an error")
			}
		})
	}
}

func TestCheckNamesEachProblem(t *testing.T) {
	good := exeInfo{
		Machine:    pe.IMAGE_FILE_MACHINE_AMD64,
		Subsystem:  subsystemWindowsGUI,
		Resources:  map[uint32]int{rtIcon: 7, rtGroupIcon: 1, rtManifest: 1, rtVersion: 1},
		Fixed:      fixedVersion{File: [4]uint16{0, 1, 0, 1}, Product: [4]uint16{0, 1, 0, 1}},
		HasFixed:   true,
		StringInfo: map[string]string{"ProductVersion": "0.1.0.1"},
	}
	if p := good.check("0.1.0"); len(p) != 0 {
		t.Fatalf("good executable: problems %q, want none", p)
	}
	tests := []struct {
		name   string
		change func(e *exeInfo)
		want   string
	}{
		{"console subsystem", func(e *exeInfo) { e.Subsystem = 3 }, "subsystem"},
		{"32-bit", func(e *exeInfo) { e.Machine = pe.IMAGE_FILE_MACHINE_I386 }, "machine"},
		{"no icon", func(e *exeInfo) { e.Resources = map[uint32]int{rtManifest: 1} }, "icon"},
		{"no version", func(e *exeInfo) { e.HasFixed = false }, "no version resource"},
		{"old fixed version", func(e *exeInfo) { e.Fixed.File = [4]uint16{0, 0, 9, 1} }, "fixed FileVersion"},
		{"0.1.0 is not 0.1.01", func(e *exeInfo) { e.StringInfo["ProductVersion"] = "0.1.01" }, "string ProductVersion"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := good
			e.Resources = map[uint32]int{rtIcon: 7, rtGroupIcon: 1, rtManifest: 1, rtVersion: 1}
			e.StringInfo = map[string]string{"ProductVersion": "0.1.0.1"}
			tt.change(&e)
			problems := e.check("0.1.0")
			if len(problems) == 0 || !strings.Contains(strings.Join(problems, "\n"), tt.want) {
				t.Errorf("problems %q, want one about %q", problems, tt.want)
			}
		})
	}
}
