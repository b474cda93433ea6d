// Command sizes lists the source files over 600 lines and the Go functions
// over 90, tests and generated files aside, and exits 1 if it found any:
//
//	go run ./scripts/sizes [DIR]
//
// DIR (the current directory by default) is walked whole, bench/ and
// scripts/ included; testdata, node_modules and dot directories are not.
// Lines are counted as a reader sees them: a function from its func line to
// its closing brace.
package main

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

const (
	maxFileLines = 600
	maxFuncLines = 90
)

func main() {
	dir := "."
	if len(os.Args) > 1 {
		dir = os.Args[1]
	}
	n, err := check(dir, os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "sizes:", err)
		os.Exit(2)
	}
	if n > 0 {
		fmt.Printf("sizes: %d over the limits (files %d lines, functions %d)\n", n, maxFileLines, maxFuncLines)
		os.Exit(1)
	}
	fmt.Printf("sizes: ok (no file over %d lines, no function over %d)\n", maxFileLines, maxFuncLines)
}

// generated is the marker of a generated Go file (go help generate).
var generated = regexp.MustCompile(`(?m)^// Code generated .* DO NOT EDIT\.$`)

// check writes a line to w for each file and function over the limits
// under dir, and returns how many it wrote.
func check(dir string, w io.Writer) (int, error) {
	n := 0
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if path != dir && (strings.HasPrefix(name, ".") || name == "testdata" || name == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		ext := filepath.Ext(name)
		if ext != ".go" && ext != ".js" || strings.HasSuffix(name, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if ext == ".go" && generated.Match(src) {
			return nil
		}
		rel, _ := filepath.Rel(dir, path)
		if lines := bytes.Count(src, []byte("\n")); lines > maxFileLines {
			fmt.Fprintf(w, "%s: %d lines\n", rel, lines)
			n++
		}
		if ext != ".go" {
			return nil
		}
		long, err := longFuncs(path, src)
		for _, l := range long {
			fmt.Fprintf(w, "%s:%d: %s %d lines\n", rel, l.line, l.name, l.lines)
			n++
		}
		return err
	})
	return n, err
}

type longFunc struct {
	name        string
	line, lines int
}

// longFuncs returns the functions of the Go file src over maxFuncLines.
func longFuncs(path string, src []byte) ([]longFunc, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, path, src, parser.SkipObjectResolution)
	if err != nil {
		return nil, err
	}
	var out []longFunc
	for _, d := range f.Decls {
		fn, ok := d.(*ast.FuncDecl)
		if !ok || fn.Body == nil {
			continue
		}
		start, end := fset.Position(fn.Pos()).Line, fset.Position(fn.End()).Line
		if lines := end - start + 1; lines > maxFuncLines {
			out = append(out, longFunc{name: funcName(fn), line: start, lines: lines})
		}
	}
	return out, nil
}

// funcName is fn as a reader names it: Type.Method or Func.
func funcName(fn *ast.FuncDecl) string {
	if fn.Recv == nil || len(fn.Recv.List) == 0 {
		return fn.Name.Name
	}
	t := fn.Recv.List[0].Type
	for {
		switch x := t.(type) {
		case *ast.StarExpr:
			t = x.X
			continue
		case *ast.IndexExpr:
			t = x.X
			continue
		case *ast.IndexListExpr:
			t = x.X
			continue
		case *ast.Ident:
			return x.Name + "." + fn.Name.Name
		}
		return fn.Name.Name
	}
}
