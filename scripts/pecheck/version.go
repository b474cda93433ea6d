package main

import (
	"encoding/binary"
	"errors"
	"fmt"
	"unicode/utf16"
)

// fixedSignature starts every VS_FIXEDFILEINFO.
const fixedSignature = 0xFEEF04BD

// node is one block of a VS_VERSIONINFO tree: every block is
// wLength, wValueLength, wType, a NUL-terminated UTF-16 key, padding to 32 bits,
// the value, padding to 32 bits, then child blocks up to wLength.
type node struct {
	key      string
	value    []byte // raw value bytes
	text     bool   // wType 1: value is UTF-16 text
	children []byte
}

// parseNode reads the block at the start of b and returns it and its length
// rounded up to the 32-bit boundary where the next sibling starts.
func parseNode(b []byte) (node, int, error) {
	if len(b) < 6 {
		return node{}, 0, errors.New("block header truncated")
	}
	length := int(binary.LittleEndian.Uint16(b))
	valueLen := int(binary.LittleEndian.Uint16(b[2:]))
	text := binary.LittleEndian.Uint16(b[4:]) == 1
	if length < 6 || length > len(b) {
		return node{}, 0, fmt.Errorf("block length %d outside 6..%d", length, len(b))
	}
	b = b[:length]
	off := 6
	var key []uint16
	for {
		if off+2 > len(b) {
			return node{}, 0, errors.New("block key not terminated")
		}
		c := binary.LittleEndian.Uint16(b[off:])
		off += 2
		if c == 0 {
			break
		}
		key = append(key, c)
	}
	off = align4(off)
	if text {
		valueLen *= 2 // text lengths count UTF-16 units
	}
	if off+valueLen > len(b) {
		// Some writers count the text value's NUL or pad differently; clamp.
		valueLen = max(len(b)-off, 0)
	}
	n := node{key: string(utf16.Decode(key)), text: text}
	if off <= len(b) {
		n.value = b[off : off+valueLen]
		off = align4(off + valueLen)
	}
	if off < len(b) {
		n.children = b[off:]
	}
	return n, align4(length), nil
}

func align4(n int) int { return (n + 3) &^ 3 }

// eachChild calls f for every block in b.
func eachChild(b []byte, f func(node) error) error {
	for len(b) >= 6 {
		n, size, err := parseNode(b)
		if err != nil {
			return err
		}
		if err := f(n); err != nil {
			return err
		}
		if size >= len(b) {
			return nil
		}
		b = b[size:]
	}
	return nil
}

// utf16String decodes a NUL-terminated little-endian UTF-16 value.
func utf16String(b []byte) string {
	u := make([]uint16, 0, len(b)/2)
	for i := 0; i+1 < len(b); i += 2 {
		c := binary.LittleEndian.Uint16(b[i:])
		if c == 0 {
			break
		}
		u = append(u, c)
	}
	return string(utf16.Decode(u))
}

// parseVersionInfo reads a VS_VERSIONINFO resource: its fixed numeric versions
// and the strings of its StringFileInfo tables.
func parseVersionInfo(b []byte) (fixedVersion, map[string]string, error) {
	root, _, err := parseNode(b)
	if err != nil {
		return fixedVersion{}, nil, err
	}
	if root.key != "VS_VERSION_INFO" {
		return fixedVersion{}, nil, fmt.Errorf("root key is %q, want VS_VERSION_INFO", root.key)
	}
	if len(root.value) < 52 || binary.LittleEndian.Uint32(root.value) != fixedSignature {
		return fixedVersion{}, nil, errors.New("no VS_FIXEDFILEINFO")
	}
	v := root.value
	word := func(off int) (uint16, uint16) {
		d := binary.LittleEndian.Uint32(v[off:])
		return uint16(d >> 16), uint16(d)
	}
	var fixed fixedVersion
	fixed.File[0], fixed.File[1] = word(8)
	fixed.File[2], fixed.File[3] = word(12)
	fixed.Product[0], fixed.Product[1] = word(16)
	fixed.Product[2], fixed.Product[3] = word(20)

	strs := map[string]string{}
	err = eachChild(root.children, func(fileInfo node) error {
		if fileInfo.key != "StringFileInfo" {
			return nil
		}
		return eachChild(fileInfo.children, func(table node) error {
			return eachChild(table.children, func(s node) error {
				strs[s.key] = utf16String(s.value)
				return nil
			})
		})
	})
	return fixed, strs, err
}
