package repl

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vecdb/vecdb/db"
)

// BenchmarkRunScript runs scripts of n one-line statements through
// RunScript: the time per statement must not grow with n.
func BenchmarkRunScript(b *testing.B) {
	for _, n := range []int{1000, 30000} {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			d, err := db.Open(filepath.Join(b.TempDir(), "b.vdb"), &db.Options{NoSync: true})
			if err != nil {
				b.Fatal(err)
			}
			defer d.Close()
			script := strings.Repeat("SHOW COLLECTIONS;\n", n)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if !RunScript(context.Background(), d, strings.NewReader(script), io.Discard, io.Discard, Config{Mode: "list"}) {
					b.Fatal("RunScript failed")
				}
			}
		})
	}
}
