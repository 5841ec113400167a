package db

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/vecdb/vecdb/trainer"
)

var kills = flag.Int("kills", 0, "SIGKILLs TestCrashKill9 delivers (default 50, 12 with -short; the run is also capped at 20s unless set)")

// The child's workload: three goroutines on one database, each a loop of
// transactions whose effect is all or nothing.
//
//   - "ins": insert a batch of 10 keys "r<run>_b<batch>_<j>" in one
//     transaction; after every odd batch, delete the previous batch in one.
//
//   - "imp": Import alternately words_a.vec (keys a0..a399) and
//     words_b.vec (keys b0..b199) into the same collection, building an
//     HNSW index with the rows every other time.
//
//   - "ins" has an HNSW index: each batch updates the graph in the same
//     transaction.
//
//   - "tr": Train on the factbook corpus, 1 epoch, min_count alternately
//     5 and 20, the second with subwords (a table beside the rows).
//
//   - "vac": VACUUM in place every 20 ms, then a BACKUP into memory.
//
// Each prints a line after every commit so the parent knows what must
// have survived.
func crashChild(path, dir string, run int) {
	ctx := context.Background()
	d, err := Open(path, &Options{NoSync: true})
	if err != nil {
		fmt.Println("ERR", err)
		os.Exit(1)
	}
	out := make(chan string, 64)
	say := func(s string) { out <- s }
	go func() {
		for b := 0; ; b++ {
			c, err := d.Collection("ins")
			if err != nil {
				say("ERR " + err.Error())
				return
			}
			var rows []Row
			for j := 0; j < 10; j++ {
				rows = append(rows, Row{Key: fmt.Sprintf("r%d_b%d_%d", run, b, j), Vector: []float32{float32(b), 1, float32(j), 1}})
			}
			if err := c.Insert(ctx, rows...); err != nil {
				say("ERR " + err.Error())
				return
			}
			say(fmt.Sprintf("INS %d %d", run, b))
			if b%2 == 1 {
				var keys []string
				for j := 0; j < 10; j++ {
					keys = append(keys, fmt.Sprintf("r%d_b%d_%d", run, b-1, j))
				}
				if _, err := c.Delete(ctx, keys...); err != nil {
					say("ERR " + err.Error())
					return
				}
				say(fmt.Sprintf("DEL %d %d", run, b-1))
			}
		}
	}()
	go func() {
		for i := 0; ; i++ {
			f := []string{"words_a.vec", "words_b.vec"}[i%2]
			// Every other import also builds its HNSW index with the rows
			// (one commit), so kills land inside index builds too.
			withIndex := i%4 < 2
			if _, err := d.Import(ctx, "imp", filepath.Join(dir, f), ImportOptions{Index: &withIndex}); err != nil {
				say("ERR " + err.Error())
				return
			}
			say("IMP " + f)
		}
	}()
	go func() {
		for i := 0; ; i++ {
			if _, err := d.Train(ctx, "tr", trainer.FileSource(factbook), TrainOptions{Config: crashTrainConfig(i)}); err != nil {
				say("ERR " + err.Error())
				return
			}
			say("TR " + strconv.Itoa(i%2))
		}
	}()
	go func() {
		// VACUUM swaps a compacted file in; BACKUP copies the live one.
		for i := 0; ; i++ {
			time.Sleep(20 * time.Millisecond)
			if _, err := d.Vacuum(ctx); err != nil {
				say("ERR " + err.Error())
				return
			}
			say("VAC")
			var buf bytes.Buffer
			if _, err := d.Backup(ctx, &buf); err != nil {
				say("ERR " + err.Error())
				return
			}
		}
	}()
	fmt.Println("READY")
	for s := range out {
		fmt.Println(s)
	}
}

func crashTrainConfig(i int) trainer.Config {
	cfg := trainer.DefaultConfig()
	cfg.Dim, cfg.Epochs, cfg.Threads = 8, 1, 1
	cfg.MinCount = []int{5, 20}[i%2]
	cfg.Subwords = i%2 == 1
	return cfg
}

// keySet returns a collection's keys, sorted and joined, or "" when it
// does not exist.
func keySet(t *testing.T, d *DB, name string) string {
	c, err := d.Collection(name)
	if err != nil {
		return ""
	}
	v, err := c.View()
	if err != nil {
		t.Fatal(err)
	}
	keys := make([]string, v.Len())
	for i := range keys {
		keys[i] = v.Key(i)
	}
	sort.Strings(keys)
	return strings.Join(keys, " ")
}

// TestCrashKill9 kills a child process that imports, trains, inserts and
// deletes with SIGKILL at seeded random moments, then reopens the file:
// Open must work, Check must pass, and every collection must be in a state
// some sequence of whole transactions produces — never a partial one.
func TestCrashKill9(t *testing.T) {
	if p := os.Getenv("VECDB_CRASH_CHILD"); p != "" {
		run, _ := strconv.Atoi(os.Getenv("VECDB_CRASH_RUN"))
		crashChild(p, os.Getenv("VECDB_CRASH_DIR"), run)
		os.Exit(0)
	}
	n, budget := *kills, time.Duration(0)
	if n == 0 {
		n, budget = 50, 20*time.Second
		if testing.Short() {
			n = 12
		}
	}
	ctx := context.Background()
	dir := t.TempDir()
	// The two import files and the two vocabularies training can leave.
	states := map[string]map[string]bool{"imp": {"": true}, "tr": {"": true}}
	for _, f := range []struct {
		name, prefix string
		n            int
	}{{"words_a.vec", "a", 400}, {"words_b.vec", "b", 200}} {
		var sb strings.Builder
		var keys []string
		for i := 0; i < f.n; i++ {
			fmt.Fprintf(&sb, "%s%d %d 0.5 %d 1\n", f.prefix, i, i%7+1, i%5)
			keys = append(keys, fmt.Sprint(f.prefix, i))
		}
		if err := os.WriteFile(filepath.Join(dir, f.name), []byte(sb.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		sort.Strings(keys)
		states["imp"][strings.Join(keys, " ")] = true
	}
	ref := MustOpen(t)
	var subwordKeys string // the key set of the run with subwords
	for i := 0; i < 2; i++ {
		if _, err := ref.Train(ctx, "tr", trainer.FileSource(factbook), TrainOptions{Config: crashTrainConfig(i)}); err != nil {
			t.Fatal(err)
		}
		states["tr"][keySet(t, ref, "tr")] = true
		if crashTrainConfig(i).Subwords {
			subwordKeys = keySet(t, ref, "tr")
		}
	}

	path := filepath.Join(dir, "crash.vdb")
	d, err := Open(path, &Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.CreateCollection(ctx, Spec{Name: "ins", Dim: 4}, false); err != nil {
		t.Fatal(err)
	}
	// "ins" carries an HNSW index, so every insert and delete batch also
	// rewrites graph records in its transaction; Check (ann.Load) then
	// verifies after each kill that the graph agrees with the rows.
	if err := d.CreateIndex(ctx, "ins", IndexConfig{M: 8, EfConstruction: 40}, 1); err != nil {
		t.Fatal(err)
	}
	d.Close()

	r := rand.New(rand.NewSource(9))
	inserted := map[string]bool{} // "run batch" → must be present
	deleted := map[string]bool{}  // must be absent
	start := time.Now()
	done, committed := 0, map[string]int{}
	// The time budget ends the run only after minKills: on a busy machine
	// each kill takes several times longer, and the clock alone could cut
	// a sound run short of the minimum.
	const minKills = 10
	for k := 0; k < n && (budget == 0 || k < minKills || time.Since(start) < budget); k++ {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashKill9$")
		cmd.Env = append(os.Environ(), "VECDB_CRASH_CHILD="+path, "VECDB_CRASH_DIR="+dir, "VECDB_CRASH_RUN="+strconv.Itoa(k))
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		var mu sync.Mutex
		var lines []string
		ready := make(chan struct{})
		readDone := make(chan struct{})
		go func() {
			defer close(readDone)
			sc := bufio.NewScanner(out)
			for sc.Scan() {
				mu.Lock()
				lines = append(lines, sc.Text())
				mu.Unlock()
				if sc.Text() == "READY" {
					close(ready)
				}
			}
		}()
		select {
		case <-ready:
		case <-time.After(60 * time.Second): // a hang guard; a busy machine starts a child slowly
			cmd.Process.Kill()
			t.Fatalf("kill %d: child never got ready: %q", k, lines)
		}
		// Mostly short lives; now and then a long one so that training
		// commits too.
		life := time.Duration(r.Intn(250)) * time.Millisecond
		if r.Intn(8) == 0 {
			life = time.Duration(500+r.Intn(1500)) * time.Millisecond
		}
		time.Sleep(life)
		cmd.Process.Signal(syscall.SIGKILL)
		<-readDone
		cmd.Wait()
		done++

		for _, l := range lines {
			f := strings.Fields(l)
			switch f[0] {
			case "ERR":
				t.Fatalf("kill %d: child failed: %s", k, l)
			case "INS":
				inserted[f[1]+" "+f[2]] = true
			case "DEL":
				deleted[f[1]+" "+f[2]] = true
			}
			committed[f[0]]++
		}

		d, err := Open(path, &Options{NoSync: true})
		if err != nil {
			t.Fatalf("kill %d (after %v): open: %v", k, life, err)
		}
		rep, err := d.Check(ctx, "")
		if err != nil || !rep.OK() {
			d.Close()
			t.Fatalf("kill %d (after %v): check: %v %v", k, life, rep, err)
		}
		if _, err := os.Stat(path + ".vacuum-tmp"); err == nil {
			t.Fatalf("kill %d: a writable open left VACUUM's copy behind", k)
		}
		for _, name := range []string{"imp", "tr"} {
			if s := keySet(t, d, name); !states[name][s] {
				d.Close()
				t.Fatalf("kill %d (after %v): %s is in a partial state (%d keys)", k, life, name, len(strings.Fields(s)))
			}
		}
		// The subword table goes with the rows of the run that wrote it
		// (Check above read it whole).
		if c, err := d.Collection("tr"); err == nil {
			v, err := c.View()
			if err != nil {
				t.Fatalf("kill %d: %v", k, err)
			}
			if want := keySet(t, d, "tr") == subwordKeys; v.HasSubwords() != want {
				t.Fatalf("kill %d (after %v): tr has a subword table: %v, want %v", k, life, v.HasSubwords(), want)
			}
		}
		batches := map[string]int{}
		for _, key := range strings.Fields(keySet(t, d, "ins")) {
			var run, b, j int
			fmt.Sscanf(key, "r%d_b%d_%d", &run, &b, &j)
			batches[fmt.Sprint(run, " ", b)]++
		}
		for b, cnt := range batches {
			if cnt != 10 {
				t.Fatalf("kill %d: batch %s has %d of its 10 keys", k, b, cnt)
			}
			if deleted[b] {
				t.Fatalf("kill %d: batch %s was deleted but is back", k, b)
			}
		}
		for b := range inserted {
			var run, bi int
			fmt.Sscanf(b, "%d %d", &run, &bi)
			// An even batch is deleted after the next one is inserted; that
			// deletion may have committed before its line was printed, but
			// not if a later insert was printed (the lines keep order).
			mayBeDeleted := bi%2 == 0 && !inserted[fmt.Sprint(run, " ", bi+2)]
			if batches[b] == 0 && !deleted[b] && !mayBeDeleted {
				t.Fatalf("kill %d: committed batch %s is lost", k, b)
			}
		}
		d.Close()
	}
	if done < min(n, minKills) {
		t.Fatalf("only %d kills ran", done)
	}
	t.Logf("%d kills in %v; commits seen before the kills: %v; every reopen checked, no partial state, nothing committed lost",
		done, time.Since(start).Round(time.Millisecond), committed)
}
