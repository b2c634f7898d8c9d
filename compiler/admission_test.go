package compiler_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/podc-dev/podc/compiler"
	"github.com/podc-dev/podc/compiler/policy/store"
)

// TestResultCacheRemembersRepeats: by default an answer is remembered the
// second time its request is compiled and served from the third; requests
// asked once leave the cache as it was.
func TestResultCacheRemembersRepeats(t *testing.T) {
	eng := compiler.New(compiler.Options{Policies: store.New(mustDefault(t), nil)})
	ctx := context.Background()
	first, err := eng.Compile(ctx, checkout(t))
	if err != nil {
		t.Fatal(err)
	}
	if st := eng.ResultCacheStats(); st.Entries != 0 {
		t.Fatalf("a request asked once was remembered: %+v", st)
	}
	second, err := eng.Compile(ctx, checkout(t))
	if err != nil {
		t.Fatal(err)
	}
	if second == first {
		t.Fatal("the first answer was served from the cache")
	}
	if st := eng.ResultCacheStats(); st.Entries != 1 {
		t.Fatalf("a request asked twice was not remembered: %+v", st)
	}
	third, err := eng.Compile(ctx, checkout(t))
	if err != nil || third != second {
		t.Fatalf("the third identical request was compiled again (%p, %p, %v)", second, third, err)
	}

	for i := range 50 {
		req := checkout(t)
		req.Intent.Name = fmt.Sprintf("once-%d", i)
		if _, err := eng.Compile(ctx, req); err != nil {
			t.Fatal(err)
		}
	}
	if st := eng.ResultCacheStats(); st.Entries != 1 {
		t.Errorf("one-off requests were remembered: %+v", st)
	}
	if again, err := eng.Compile(ctx, checkout(t)); err != nil || again != second {
		t.Errorf("the repeated request is no longer served from the cache (%v)", err)
	}
}

// TestResultCacheAdmitAll remembers an answer the first time.
func TestResultCacheAdmitAll(t *testing.T) {
	eng := compiler.New(compiler.Options{Policies: store.New(mustDefault(t), nil), ResultAdmission: compiler.AdmitAll})
	ctx := context.Background()
	first, err := eng.Compile(ctx, checkout(t))
	if err != nil {
		t.Fatal(err)
	}
	if again, err := eng.Compile(ctx, checkout(t)); err != nil || again != first {
		t.Fatalf("the second identical request was compiled again (%v)", err)
	}
}
