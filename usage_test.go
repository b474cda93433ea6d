package main

import (
	"bytes"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// runMainEnv makes the test binary run main instead of the tests, so a test
// can run the program's real flag handling as a child process.
const runMainEnv = "HUECAST_TEST_RUN_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(runMainEnv) == "1" {
		os.Args = append([]string{"huecast"}, strings.Fields(os.Getenv(runMainEnv+"_ARGS"))...)
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// runMain runs main with args in a child process and returns its stdout,
// its stderr and its exit status.
func runMain(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), runMainEnv+"=1", runMainEnv+"_ARGS="+strings.Join(args, " "),
		"XDG_CONFIG_HOME="+t.TempDir(), "DISPLAY=", "WAYLAND_DISPLAY=")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return out.String(), errb.String(), code
}

// flagNames returns the name of every flag package main defines, read from
// its source: each fs.Bool("name", …), fs.String("name", …) and the like.
func flagNames(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) < 2 {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			if id, isID := sel.X.(*ast.Ident); !isID || id.Name != "fs" {
				return true
			}
			arg := call.Args[0]
			if strings.HasSuffix(sel.Sel.Name, "Var") && len(call.Args) > 2 {
				arg = call.Args[1]
			}
			if lit, ok := arg.(*ast.BasicLit); ok && lit.Kind == token.STRING {
				if s, err := strconv.Unquote(lit.Value); err == nil {
					names = append(names, s)
				}
			}
			return true
		})
	}
	if len(names) < 10 {
		t.Fatalf("found only %d flags (%v) in package main's source; is the parser looking in the right place?", len(names), names)
	}
	return names
}

func TestHelpSaysWhatHuecastIsAndListsEveryFlag(t *testing.T) {
	flags := flagNames(t)
	for _, arg := range []string{"--help", "-h", "-help"} {
		t.Run(arg, func(t *testing.T) {
			out, errs, code := runMain(t, arg)
			if code != 0 {
				t.Fatalf("huecast %s exited %d, want 0; stderr: %s", arg, code, errs)
			}
			if errs != "" {
				t.Errorf("huecast %s wrote to stderr: %q", arg, errs)
			}
			for _, want := range []string{"huecast: one colour", "Usage:", "Examples:", "huecast --join 192.168.1.20:7788", "huecast --headless", "Flags:"} {
				if !strings.Contains(out, want) {
					t.Errorf("--help lacks %q", want)
				}
			}
			for _, name := range flags {
				dashes := "--"
				if len(name) == 1 {
					dashes = "-"
				}
				if !strings.Contains(out, "\n  "+dashes+name+" ") && !strings.Contains(out, "\n  "+dashes+name+"\n") {
					t.Errorf("--help does not list %s%s:\n%s", dashes, name, out)
				}
			}
			for i, line := range strings.Split(out, "\n") {
				if len([]rune(line)) > 80 && !strings.Contains(line, "huecast.log") { // a path is as long as it is
					t.Errorf("line %d is %d columns, over 80: %q", i+1, len(line), line)
				}
			}
		})
	}
}

func TestHelpNeverPrintsThePassphrase(t *testing.T) {
	t.Setenv("HUECAST_PASSPHRASE", "secret-words-here")
	out, _, code := runMain(t, "--help")
	if code != 0 || strings.Contains(out, "secret-words-here") {
		t.Fatalf("exit %d; --help shows the passphrase from the environment:\n%s", code, out)
	}
}

func TestABadFlagExitsTwoWithAHint(t *testing.T) {
	out, errs, code := runMain(t, "--no-such-flag")
	if code != 2 {
		t.Fatalf("exit %d, want 2", code)
	}
	if out != "" || !strings.Contains(errs, "no-such-flag") || !strings.Contains(errs, "huecast --help") {
		t.Fatalf("stdout %q, stderr %q: want nothing on stdout, the flag and a pointer to --help on stderr", out, errs)
	}
}
