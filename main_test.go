package main

import (
	"os"
	"testing"

	"github.com/BurntSushi/toml"
)

func TestVersionMatchesFyneAppToml(t *testing.T) {
	var meta struct{ Details struct{ Version string } }
	data, err := os.ReadFile("FyneApp.toml")
	if err != nil {
		t.Fatal(err)
	}
	if err := toml.Unmarshal(data, &meta); err != nil {
		t.Fatal(err)
	}
	if meta.Details.Version != version {
		t.Fatalf("FyneApp.toml says %q, huecast --version says %q", meta.Details.Version, version)
	}
}
