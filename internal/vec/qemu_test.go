//go:build linux && amd64 && !purego

package vec

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

// TestARM64UnderQemu cross-compiles this package's tests for arm64 and runs
// the int8 kernel tests there under qemu-aarch64, so the NEON assembly is
// checked against the pure-Go result on every amd64 machine that has qemu.
// It is skipped (the NEON kernel then only compile-checked, by CI's
// cross-builds) when qemu-aarch64 is not installed, and with -short.
func TestARM64UnderQemu(t *testing.T) {
	if testing.Short() {
		t.Skip("cross-compiles the package")
	}
	qemu, err := exec.LookPath("qemu-aarch64")
	if err != nil {
		t.Skip("qemu-aarch64 not installed: the arm64 kernels are compile-checked only")
	}
	bin := filepath.Join(t.TempDir(), "vec-arm64.test")
	build := exec.Command(filepath.Join(runtime.GOROOT(), "bin", "go"), "test", "-c", "-o", bin, ".")
	build.Env = append(os.Environ(), "GOARCH=arm64", "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("cross-compiling for arm64: %v\n%s", err, out)
	}
	run := exec.Command(qemu, bin, "-test.run", "^(TestDotInt8Kernel|TestDotInt8Wraps|TestKernelsName|TestPrefetchChangesNothing|TestPrefetchAtGuardPage|TestDotInt8RowsKernel|TestDotInt8RowsPanics|TestInt8RowsKernelsStayInBounds)$", "-test.v")
	out, err := run.CombinedOutput()
	if err != nil {
		t.Fatalf("arm64 tests under qemu: %v\n%s", err, out)
	}
	t.Logf("%s", out)
}
