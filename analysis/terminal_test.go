package analysis

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestTerminalPlot(t *testing.T) {
	pts := samplePoints(60)
	for _, color := range []bool{false, true} {
		var buf bytes.Buffer
		if err := TerminalPlot(&buf, pts, 50, 15, color); err != nil {
			t.Fatal(err)
		}
		out := buf.String()
		lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
		if len(lines) != 15+1 { // grid plus legend
			t.Fatalf("color=%v: %d lines, want 16", color, len(lines))
		}
		braille := 0
		for _, l := range lines[:15] {
			plain := l
			if color {
				plain = stripANSI(l)
			} else if strings.Contains(l, "\x1b[") {
				t.Errorf("ANSI escape without color: %q", l)
			}
			if w := utf8.RuneCountInString(plain); w != 50 {
				t.Errorf("color=%v: line is %d cells wide, want 50: %q", color, w, plain)
			}
			for _, r := range plain {
				if r > 0x2800 && r <= 0x28ff {
					braille++
				}
			}
		}
		if braille == 0 {
			t.Errorf("no braille dots in\n%s", out)
		}
		if color != strings.Contains(out, "\x1b[") {
			t.Errorf("color=%v but escapes present=%v", color, !color)
		}
		if !strings.Contains(out, "g0") || !strings.Contains(out, "g2") {
			t.Errorf("legend missing: %q", lines[15])
		}
	}
	// A single group has no legend; degenerate input does not panic.
	var buf bytes.Buffer
	if err := TerminalPlot(&buf, []Point{{X: 1, Y: 1, Label: "only"}}, 1, 1, false); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(buf.String(), "\n"); n != 2 {
		t.Errorf("2×2 plot has %d lines:\n%s", n, buf.String())
	}
}

func stripANSI(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == 0x1b {
			for i < len(s) && s[i] != 'm' {
				i++
			}
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
