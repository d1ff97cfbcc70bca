package postgres_test

import (
	"context"
	"os"
	"testing"

	"github.com/attache-dev/attache/internal/postgres"
	"github.com/attache-dev/attache/internal/testutil/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

func TestMigrationsAreNumberedWithoutGaps(t *testing.T) {
	ms, err := postgres.Migrations()
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) == 0 || ms[0].Version != 1 {
		t.Fatalf("migrations: %+v", ms)
	}
}

func TestMigrateIsIdempotentAndLeavesPgvectorUsable(t *testing.T) {
	ctx := context.Background()
	url := pgtest.URL(t) // already migrated once
	n, err := postgres.Migrate(ctx, url, pgtest.Logger())
	if err != nil || n != 0 {
		t.Fatalf("second migrate applied %d, err %v; want 0, nil", n, err)
	}
	pool := pgtest.Pool(t)
	var d float64
	if err := pool.QueryRow(ctx, `SELECT '[1,0,0]'::vector <=> '[0,1,0]'::vector`).Scan(&d); err != nil || d != 1 {
		t.Fatalf("cosine distance through pgvector: %v, %v", d, err)
	}
	var version int
	if err := pool.QueryRow(ctx, `SELECT max(version) FROM schema_migrations`).Scan(&version); err != nil {
		t.Fatal(err)
	}
	ms, _ := postgres.Migrations()
	if version != len(ms) {
		t.Fatalf("schema at %d, want %d", version, len(ms))
	}
}
