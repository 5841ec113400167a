package repl

import "github.com/mattn/go-runewidth"

func runewidthOf(s string) int { return runewidth.StringWidth(s) }
