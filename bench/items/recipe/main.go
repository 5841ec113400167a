// Command recipe walks through issue 7's recipe with the Go API on
// MovieLens ml-latest-small (read from the shared data kit, never copied):
// train item vectors from the ratings log grouped per user by time, import
// the titles, recommend from a history, build user vectors and search the
// items with one of them. The README turns these steps into statements.
//
//	go run ./bench/items/recipe [-data ../shared/data] [-db /tmp/recipe.vdb]
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/vecdb/vecdb/db"
	"github.com/vecdb/vecdb/trainer"
)

func main() {
	data := flag.String("data", "../shared/data", "shared data kit")
	path := flag.String("db", filepath.Join(os.TempDir(), "recipe.vdb"), "database file (replaced)")
	flag.Parse()
	ctx := context.Background()
	os.Remove(*path)
	d, err := db.Open(*path, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer d.Close()
	ml := filepath.Join(*data, "movielens", "ml-latest-small")
	ratings := filepath.Join(ml, "ratings.csv")
	events := trainer.EventLogOptions{SequenceBy: "userId", OrderBy: "timestamp", Item: "movieId"}

	// 1. TRAIN movies FROM 'ratings.csv' (one sequence per user, by time)
	cfg := trainer.DefaultConfig()
	cfg.MinCount, cfg.Window, cfg.Epochs, cfg.NsExponent = 1, 20, 10, -0.5
	tr, err := d.Train(ctx, "movies", trainer.EventLogSource(ratings, events), db.TrainOptions{Config: cfg})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("1. trained %s: %d movies from %d ratings, %d epochs in %.1fs\n", tr.Collection, tr.Keys, tr.Words, tr.Epochs, tr.Seconds)

	// 2. IMPORT METADATA INTO movies FROM 'movies.csv' WITH (key = 'movieId')
	mr, err := d.ImportMetadata(ctx, "movies", filepath.Join(ml, "movies.csv"), db.MetadataOptions{Key: "movieId"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("2.", mr)

	// 3. RECOMMEND 5 FROM movies FOR ('1', '3114', '2355')   -- Toy Story 1 and 2, A Bug's Life
	c, _ := d.Collection("movies")
	v, _ := c.View()
	title := func(pos int) string {
		m, err := v.Meta(pos)
		if err != nil || m == nil || m[v.FieldIndex("title")] == nil {
			return "?"
		}
		return m[v.FieldIndex("title")].(string)
	}
	hits, err := c.Recommend(ctx, []string{"1", "3114", "2355"}, 5, db.RecommendOptions{Recency: 1})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("3. RECOMMEND 5 FROM movies FOR ('1', '3114', '2355') WITH (recency = 1)")
	for i, h := range hits {
		fmt.Printf("   %d  %-6s %.3f  %s\n", i+1, h.Key, h.Similarity, title(h.Pos))
	}

	// 4. CREATE COLLECTION users FROM SEQUENCES OF movies FROM 'ratings.csv' ...
	//    SELECT NEAREST 5 TO users.'u42' FROM movies
	ur, err := d.CreateUsersFromFile(ctx, "users", "movies", ratings, db.UsersOptions{Recency: 1, EventLog: &events})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("4.", ur)
	u, err := d.Collection("users")
	if err != nil {
		log.Fatal(err)
	}
	row, err := u.Get("u42")
	if err != nil {
		log.Fatal(err)
	}
	hits, err = c.Nearest(ctx, row.Vector, 5, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("   SELECT NEAREST 5 TO users.'u42' FROM movies")
	for i, h := range hits {
		fmt.Printf("   %d  %-6s %.3f  %s\n", i+1, h.Key, h.Similarity, title(h.Pos))
	}
}
