package db

import (
	"context"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/vecdb/vecdb/internal/errdefs"
	"github.com/vecdb/vecdb/internal/vec"
	"github.com/vecdb/vecdb/query"
	"github.com/vecdb/vecdb/storage"
	"github.com/vecdb/vecdb/trainer"
)

// UsersOptions tune CreateUsers.
type UsersOptions struct {
	// Recency weights each user's recent items more, as
	// RecommendOptions.Recency does: 0 is the plain mean.
	Recency float64
	// KeyPrefix is put before every user key. "" puts "u" before keys made
	// only of digits (line numbers, numeric user ids), so line 42 of a
	// sequences file and user 42 of an event log both become 'u42', and
	// keeps other keys as they are. RawKeys keeps every key as it is.
	KeyPrefix string
	RawKeys   bool
	// MinItems skips users with fewer known items; 0 means 1.
	MinItems int
	// EventLog, when set, makes CreateUsersFromFile read the file as an
	// event log (trainer.EventLogSource): one user per SequenceBy value.
	EventLog *trainer.EventLogOptions
}

// UsersResult says what CreateUsers did.
type UsersResult struct {
	Collection string
	Items      string
	Users      int // user vectors written
	Sequences  int // sequences read
	// SkippedUsers counts users with fewer than MinItems known items.
	SkippedUsers int
	// UnknownItems counts item occurrences that are not keys of the items
	// collection; UnknownExamples lists up to 5 of them.
	UnknownItems    int
	UnknownExamples []string
	Seconds         float64
}

// String summarises the result for a user.
func (r *UsersResult) String() string {
	s := fmt.Sprintf("created %d user vectors in %s from %d sequences of %s", r.Users, r.Collection, r.Sequences, r.Items)
	if r.SkippedUsers > 0 {
		s += fmt.Sprintf("; %d users skipped (no known items)", r.SkippedUsers)
	}
	if r.UnknownItems > 0 {
		q := make([]string, len(r.UnknownExamples))
		for i, k := range r.UnknownExamples {
			q[i] = quoteKey(k)
		}
		s += fmt.Sprintf("; %d item occurrences not in %s skipped (%s", r.UnknownItems, r.Items, strings.Join(q, ", "))
		if r.UnknownItems > len(r.UnknownExamples) {
			s += ", ..."
		}
		s += ")"
	}
	return s
}

// CreateUsersFromFile is CreateUsers reading path: an event log when
// opts.EventLog is set (one user per SequenceBy value, items ordered by
// OrderBy), otherwise a sequences file read with trainer.KeyedFileSource
// (a line "id<TAB>item item ..." is user id's history, and a line without
// a tab is the history of the user named by its 1-based line number).
func (d *DB) CreateUsersFromFile(ctx context.Context, users, items, path string, opts UsersOptions) (*UsersResult, error) {
	if _, err := d.ResolvePath(path, false); err != nil {
		return nil, fmt.Errorf("create users %s: %w", users, err)
	}
	var src trainer.Source
	if opts.EventLog != nil {
		ev, err := d.EventLogSource(path, *opts.EventLog)
		if err != nil {
			return nil, fmt.Errorf("create users %s: %w", users, err)
		}
		src = ev
	} else {
		src = trainer.KeyedFileSourceWith(d.openRead, path)
	}
	return d.CreateUsers(ctx, users, items, src, opts)
}

// CreateUsers fills the collection users with one vector per user, in the
// items collection's space: each sequence of src is one user's history
// (oldest first) and the user's vector is the recency-weighted mean of the
// unit vectors of its items (RecommendOptions.Recency), so that
// NEAREST k TO users.'u42' FROM items and RECOMMEND agree. The users
// collection has the items' dimension, metric COSINE, one row per user in
// first-seen order, and each row's count is the number of known items in
// the history. A user is named by its reader's key when src's readers
// implement trainer.KeyedReader, else by its 1-based sequence number, then
// prefixed as opts.KeyPrefix says ('u42'); sequences with the same key are
// joined in order.
// Items that are not keys of items are skipped and counted, and so are
// users left with fewer than MinItems known items. The collection is
// written atomically, replacing any previous contents; a failed or
// cancelled run leaves it as it was. The sequences are held in memory
// (4 bytes per known item) until the vectors are written.
func (d *DB) CreateUsers(ctx context.Context, users, items string, src trainer.Source, opts UsersOptions) (*UsersResult, error) {
	if d.ReadOnly() {
		return nil, ErrReadOnly
	}
	if err := checkUsersArgs(users, items, opts); err != nil {
		return nil, err
	}
	minItems := max(opts.MinItems, 1)
	ic, err := d.Collection(items)
	if err != nil {
		return nil, err
	}
	iv, err := ic.View()
	if err != nil {
		return nil, err
	}
	start := time.Now()
	res := &UsersResult{Collection: users, Items: items}
	hs, err := readHistories(ctx, src, iv, opts, res)
	if err != nil {
		return nil, err
	}
	meta := usersMeta(users, items, iv.Dim(), src, opts.Recency, minItems)
	l, err := d.store.NewLoader(meta)
	if err != nil {
		return nil, err
	}
	defer l.Abort()
	if err := hs.load(ctx, l, iv, minItems, opts.Recency, res); err != nil {
		return nil, err
	}
	meta.Params["users"] = strconv.Itoa(res.Users)
	meta.Params["skipped_users"] = strconv.Itoa(res.SkippedUsers)
	meta.Params["unknown_items"] = strconv.Itoa(res.UnknownItems)
	if err := d.commitLoad(ctx, users, l); err != nil {
		return nil, err
	}
	res.Seconds = time.Since(start).Seconds()
	return res, nil
}

// checkUsersArgs checks the users collection's name, that it differs from
// items, and the recency.
func checkUsersArgs(users, items string, opts UsersOptions) error {
	if !storage.ValidName(users) {
		return fmt.Errorf("invalid collection name %q: use letters, digits and _", users)
	}
	if users == items {
		return invalidf("the users collection must differ from the items collection %s", items)
	}
	if opts.Recency < 0 || math.IsNaN(opts.Recency) || math.IsInf(opts.Recency, 0) {
		return invalidf("recency must be a finite number >= 0, got %g", opts.Recency)
	}
	return nil
}

// userKey names the user of sequence key k as opts.KeyPrefix and opts.RawKeys say.
func userKey(opts UsersOptions, k string) string {
	switch {
	case opts.RawKeys:
		return k
	case opts.KeyPrefix != "":
		return opts.KeyPrefix + k
	case k != "" && strings.Trim(k, "0123456789") == "":
		return "u" + k
	}
	return k
}

// histories are the users' histories as positions in the items view, with
// the users in first-seen order.
type histories struct {
	users string // the users collection, for messages
	order []string
	hist  map[string][]int32
}

// readHistories reads every sequence of src, joining those of the same user
// and counting into res the sequences and the unknown items.
func readHistories(ctx context.Context, src trainer.Source, iv *View, opts UsersOptions, res *UsersResult) (*histories, error) {
	users := res.Collection
	r, err := src.Open()
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", users, err)
	}
	keyed, _ := r.(trainer.KeyedReader)
	hs := &histories{users: users, hist: map[string][]int32{}}
	seenUnknown := map[string]bool{}
	for {
		toks, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			r.Close()
			return nil, fmt.Errorf("create %s: %w", users, err)
		}
		res.Sequences++
		if res.Sequences%1024 == 0 {
			if err := ctx.Err(); err != nil {
				r.Close()
				return nil, err
			}
		}
		key := strconv.Itoa(res.Sequences)
		if keyed != nil {
			key = keyed.Key()
		}
		key = userKey(opts, key)
		if len(key) > MaxKeyBytes {
			r.Close()
			return nil, fmt.Errorf("create %s: sequence %d: %w", users, res.Sequences, errdefs.KeyTooLong(key))
		}
		h, ok := hs.hist[key]
		if !ok {
			hs.order = append(hs.order, key)
		}
		for _, t := range toks {
			p, ok := iv.Lookup(string(t))
			if !ok {
				res.UnknownItems++
				if len(res.UnknownExamples) < 5 && !seenUnknown[string(t)] {
					seenUnknown[string(t)] = true
					res.UnknownExamples = append(res.UnknownExamples, string(t))
				}
				continue
			}
			h = append(h, int32(p))
		}
		hs.hist[key] = h
	}
	if err := r.Close(); err != nil {
		return nil, fmt.Errorf("create %s: %w", users, err)
	}
	return hs, nil
}

// usersMeta is the users collection's metadata before its counts are known.
func usersMeta(users, items string, dim int, src trainer.Source, recency float64, minItems int) *storage.CollectionMeta {
	meta := &storage.CollectionMeta{Name: users, Dim: dim, Metric: Cosine}
	meta.Params = map[string]string{
		"items":   items,
		"recency": strconv.FormatFloat(recency, 'g', -1, 64),
		"corpus":  sourceName(src),
	}
	if minItems > 1 {
		meta.Params["min_items"] = strconv.Itoa(minItems)
	}
	meta.Source = fmt.Sprintf("FROM SEQUENCES OF %s FROM '%s'", items, sourceName(src))
	return meta
}

// load adds to l one unit vector per user with at least minItems known
// items, skipping the others and those whose mean is zero; it frees each
// history once written.
func (hs *histories) load(ctx context.Context, l *storage.Loader, iv *View, minItems int, recency float64, res *UsersResult) error {
	pos := make([]int, 0, 64)
	for i, key := range hs.order {
		if i%1024 == 1023 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		h := hs.hist[key]
		if len(h) < minItems {
			res.SkippedUsers++
			continue
		}
		pos = pos[:0]
		for _, p := range h {
			pos = append(pos, int(p))
		}
		u := iv.meanOf(pos, recency)
		if vec.Normalize(u) == 0 {
			res.SkippedUsers++
			continue
		}
		if _, err := l.Add(&storage.Row{Key: key, Count: int64(len(h)), Vector: u}); err != nil {
			return fmt.Errorf("create %s: %w", hs.users, err)
		}
		res.Users++
		delete(hs.hist, key)
	}
	return nil
}

var usersOptions = []optDef{
	{name: "min_items", kind: optInt, min: 1, def: "1", doc: "skip users with fewer known items",
		set: bindInt(func(o *usersStatement) *int { return &o.MinItems })},
	{name: "recency", kind: optFloat, min: 0, def: "0 (plain mean)", doc: "weight each user's recent items more",
		set: bindFloat(func(o *usersStatement) *float64 { return &o.Recency })},
	{name: "sequence_by", kind: optString, def: "", doc: "read an event log: the column that names the user",
		set: func(o *usersStatement, v any) error { return o.log.set("sequence_by", v) }},
	{name: "order_by", kind: optString, def: "file order", doc: "event log: the column that orders each history",
		set: func(o *usersStatement, v any) error { return o.log.set("order_by", v) }},
	{name: "item", kind: optString, def: "", doc: "event log: the column of item keys",
		set: func(o *usersStatement, v any) error { return o.log.set("item", v) }},
	{name: "delimiter", kind: optString, def: "tab, else comma", doc: "event log: the field separator (one character)",
		set: func(o *usersStatement, v any) error { return o.log.set("delimiter", v) }},
	{name: "key_prefix", kind: optString, def: "'u' before numeric ids", doc: "put before every user key",
		set: bindString(func(o *usersStatement) *string { return &o.KeyPrefix })},
}

// usersStatement is what CREATE COLLECTION … FROM SEQUENCES's WITH options
// set.
type usersStatement struct {
	UsersOptions
	log eventLogSpec
}

func (c *compiler) compileCreateUsers(s *query.CreateUsers) (Plan, error) {
	if _, err := c.source(s.Items, s.NameAt(s.Items, s.Pos)); err != nil {
		return nil, err
	}
	opts, err := c.options(s, s.With, usersOptions, "CREATE COLLECTION ... FROM SEQUENCES")
	if err != nil {
		return nil, err
	}
	spec := UsersSpec{Name: s.Name, Items: s.Items, Path: s.Path, Options: opts}
	desc := fmt.Sprintf("CREATE COLLECTION %s FROM SEQUENCES OF %s FROM %s", query.QuoteIdent(s.Name), query.QuoteIdent(s.Items), query.QuoteString(s.Path))
	return &backendPlan{desc: desc, pos: s.Pos, run: func(ctx context.Context, d *DB) (*Result, error) { return d.execCreateUsers(ctx, spec) }}, nil
}

// UsersSpec is a compiled CREATE COLLECTION users FROM SEQUENCES OF items.
type UsersSpec struct {
	Name    string
	Items   string
	Path    string
	Options map[string]any
}

func (d *DB) execCreateUsers(ctx context.Context, s UsersSpec) (*Result, error) {
	var st usersStatement
	if err := bindOptions(usersOptions, s.Options, &st); err != nil {
		return nil, err
	}
	ev, err := st.log.options()
	if err != nil {
		return nil, err
	}
	opts := st.UsersOptions
	opts.EventLog = ev
	res, err := d.CreateUsersFromFile(ctx, s.Name, s.Items, s.Path, opts)
	if err != nil {
		return nil, err
	}
	return &Result{Message: res.String(), Stats: Stats{RowsAffected: res.Users}}, nil
}

// The statements this file plans (see register).
func init() {
	register((*compiler).compileCreateUsers, false, writesAlways[*query.CreateUsers])
}
