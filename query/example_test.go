package query_test

import (
	"errors"
	"fmt"

	"github.com/vecdb/vecdb/query"
)

func ExampleParse() {
	stmts, err := query.Parse("select nearest 5 to 'king' - 'man' + 'woman' from glove50 where count > 10;")
	if err != nil {
		panic(err)
	}
	s := stmts[0].(*query.SelectNearest)
	fmt.Println(s)
	fmt.Println(s.K, s.From, len(s.Target.(*query.VSum).Terms))
	// Output:
	// SELECT NEAREST 5 TO 'king' - 'man' + 'woman' FROM glove50 WHERE count > 10
	// 5 glove50 3
}

func ExampleError_Pretty() {
	_, err := query.Parse("SELECT NEAREST 5 TO 'king' FORM glove50")
	var e *query.Error
	if errors.As(err, &e) {
		fmt.Println(e.Pretty())
	}
	// Output:
	// 1:28: unexpected token "FORM"; expected FROM (did you mean FROM?)
	//   SELECT NEAREST 5 TO 'king' FORM glove50
	//                              ^
}

func ExampleSuggester() {
	s := query.NewSuggester([]string{"the", "king", "queen", "Paris"})
	fmt.Println(s.Suggest("kign"), s.Suggest("paris"), s.Suggest("zzz") == "")
	// Output: king Paris true
}
