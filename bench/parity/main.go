// Command parity compares vecdb's query language with gensim on real
// vectors: random NEAREST queries (single keys and a + b - c) USING EXACT,
// the same with USING COSMUL, and ODD_ONE_OUT, each answered by gensim's
// KeyedVectors through gensim_answers.py. Top-10 lists agree when every
// position holds the same key or two keys whose scores are within -tie of
// each other (a tie that float rounding may order either way).
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"math"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/vecdb/vecdb/db"
)

type q struct {
	Op       string   `json:"op"`
	Positive []string `json:"positive,omitempty"`
	Negative []string `json:"negative,omitempty"`
	Words    []string `json:"words,omitempty"`
	TopN     int      `json:"topn,omitempty"`
}

type answer struct {
	Top    [][2]any `json:"top"`
	Answer string   `json:"answer"`
}

func main() {
	vectors := flag.String("vectors", "/tmp/bench/corpus139k.vec", "word2vec text file")
	python := flag.String("python", "/usr/bin/python3", "python with gensim")
	script := flag.String("script", "bench/parity/gensim_answers.py", "gensim side")
	nNearest := flag.Int("nearest", 500, "NEAREST queries")
	nCosmul := flag.Int("cosmul", 200, "COSMUL queries")
	nOdd := flag.Int("odd", 200, "ODD_ONE_OUT queries")
	vocab := flag.Int("vocab", 30000, "draw keys from the most frequent N")
	tie := flag.Float64("tie", 1e-5, "scores closer than this are ties")
	seed := flag.Int64("seed", 1, "random seed")
	dbPath := flag.String("db", "", "keep the imported vectors in this database between runs (default: a temporary one)")
	flag.Parse()

	dir, err := os.MkdirTemp("", "parity")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	ctx := context.Background()
	path := *dbPath
	if path == "" {
		path = filepath.Join(dir, "p.vdb")
	}
	d, err := db.Open(path, &db.Options{NoSync: true})
	if err != nil {
		log.Fatal(err)
	}
	defer d.Close()
	if _, err := d.Collection("w"); err != nil {
		t0 := time.Now()
		res, err := d.Exec(ctx, fmt.Sprintf("IMPORT INTO w FROM '%s' FORMAT WORD2VEC", strings.ReplaceAll(*vectors, "'", "''")))
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("vecdb: %s in %.1fs\n", res.Message, time.Since(t0).Seconds())
	}

	keysRes, err := d.Query(ctx, fmt.Sprintf("SELECT key FROM w LIMIT %d", *vocab))
	if err != nil {
		log.Fatal(err)
	}
	var keys []string
	for _, r := range keysRes.Rows {
		k := r[0].(string)
		if !strings.ContainsAny(k, "'") {
			keys = append(keys, k)
		}
	}
	rng := rand.New(rand.NewSource(*seed))
	pick := func(n int) []string {
		seen := map[string]bool{}
		var out []string
		for len(out) < n {
			k := keys[rng.Intn(len(keys))]
			if !seen[k] {
				seen[k] = true
				out = append(out, k)
			}
		}
		return out
	}
	var qs []q
	for i := 0; i < *nNearest; i++ {
		if i%2 == 0 {
			qs = append(qs, q{Op: "most_similar", Positive: pick(1), TopN: 10})
		} else {
			k := pick(3)
			qs = append(qs, q{Op: "most_similar", Positive: k[:2], Negative: k[2:], TopN: 10})
		}
	}
	for i := 0; i < *nCosmul; i++ {
		k := pick(3)
		qs = append(qs, q{Op: "most_similar_cosmul", Positive: k[:2], Negative: k[2:], TopN: 10})
	}
	for i := 0; i < *nOdd; i++ {
		qs = append(qs, q{Op: "doesnt_match", Words: pick(4)})
	}
	qf, af := filepath.Join(dir, "q.json"), filepath.Join(dir, "a.json")
	b, _ := json.Marshal(qs)
	if err := os.WriteFile(qf, b, 0o644); err != nil {
		log.Fatal(err)
	}
	cmd := exec.Command(*python, *script, *vectors, qf, af)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		log.Fatalf("gensim: %v", err)
	}
	fmt.Printf("gensim: %s", out)
	var ans []answer
	b, err = os.ReadFile(af)
	if err != nil {
		log.Fatal(err)
	}
	if err := json.Unmarshal(b, &ans); err != nil {
		log.Fatal(err)
	}

	quote := func(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
	type tally struct{ n, identical, agree int }
	tallies := map[string]*tally{}
	order := []string{"NEAREST single key", "NEAREST a + b - c", "NEAREST USING COSMUL", "ODD_ONE_OUT"}
	for _, o := range order {
		tallies[o] = &tally{}
	}
	var qtime time.Duration
	shown := 0
	for i, x := range qs {
		var src, kind string
		switch x.Op {
		case "most_similar", "most_similar_cosmul":
			e := quote(x.Positive[0])
			for _, p := range x.Positive[1:] {
				e += " + " + quote(p)
			}
			for _, n := range x.Negative {
				e += " - " + quote(n)
			}
			using := "EXACT"
			kind = "NEAREST single key"
			if len(x.Positive) > 1 {
				kind = "NEAREST a + b - c"
			}
			if x.Op == "most_similar_cosmul" {
				using, kind = "COSMUL", "NEAREST USING COSMUL"
			}
			src = fmt.Sprintf("SELECT NEAREST 10 TO %s FROM w USING %s", e, using)
		case "doesnt_match":
			kind = "ODD_ONE_OUT"
			parts := make([]string, len(x.Words))
			for j, w := range x.Words {
				parts[j] = quote(w)
			}
			src = fmt.Sprintf("SELECT ODD_ONE_OUT(%s) FROM w", strings.Join(parts, ", "))
		}
		t1 := time.Now()
		r, err := d.Query(ctx, src)
		qtime += time.Since(t1)
		if err != nil {
			log.Fatalf("%s: %v", src, err)
		}
		t := tallies[kind]
		t.n++
		if x.Op == "doesnt_match" {
			if r.Rows[0][0] == ans[i].Answer {
				t.identical++
				t.agree++
			} else if shown < 10 {
				shown++
				fmt.Printf("differs: %s: vecdb %v, gensim %s\n", src, r.Rows[0][0], ans[i].Answer)
			}
			continue
		}
		same, tied := true, true
		for j, g := range ans[i].Top {
			if j >= len(r.Rows) {
				same, tied = false, false
				break
			}
			gk, gs := g[0].(string), g[1].(float64)
			vk, vs := r.Rows[j][1].(string), r.Rows[j][2].(float64)
			if gk != vk {
				same = false
				if math.Abs(gs-vs) > *tie {
					tied = false
				}
			}
		}
		if same {
			t.identical++
		}
		if tied {
			t.agree++
		} else if shown < 10 {
			shown++
			fmt.Printf("differs: %s\n  vecdb  %v\n  gensim %v\n", src, r.Rows, ans[i].Top)
		}
	}
	fmt.Printf("\n| queries | n | identical top-10 | agree (ties aside) |\n|---|---:|---:|---:|\n")
	for _, o := range order {
		t := tallies[o]
		fmt.Printf("| %s | %d | %d | %d (%.1f%%) |\n", o, t.n, t.identical, t.agree, 100*float64(t.agree)/float64(max(t.n, 1)))
	}
	fmt.Printf("\nvecdb query time: %.2fs for %d statements (%.2f ms each, parse + plan + exact scan)\n",
		qtime.Seconds(), len(qs), 1000*qtime.Seconds()/float64(len(qs)))
}
