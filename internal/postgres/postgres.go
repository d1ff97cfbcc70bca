// Package postgres opens Attaché's connection pool and applies its embedded, numbered schema
// migrations. It works against any PostgreSQL ≥ 15 with pgvector ≥ 0.7 and against PGlite,
// the embedded default, whose single shared session rules out named prepared statements
// (its URL carries default_query_exec_mode=cache_describe) and cross-connection LISTEN/NOTIFY.
//
// It holds plumbing only; each domain package owns its own queries.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	pgxvec "github.com/pgvector/pgvector-go/pgx"
)

// Open returns a pool whose connections know pgvector's types. The schema must already be
// migrated (Migrate): the vector types are looked up on every new connection.
func Open(ctx context.Context, databaseURL string, logger *slog.Logger) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(databaseURL)
	if err != nil {
		return nil, fmt.Errorf("parse database URL: %w", redact(err))
	}
	if cfg.MaxConns < 4 {
		cfg.MaxConns = 4
	}
	cfg.AfterConnect = func(ctx context.Context, conn *pgx.Conn) error {
		if err := pgxvec.RegisterTypes(ctx, conn); err != nil {
			return fmt.Errorf("register pgvector types (has `attache migrate` run?): %w", err)
		}
		return nil
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open database pool: %w", redact(err))
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("connect to database %s: %w", cfg.ConnConfig.Host, redact(err))
	}
	logger.Debug("database pool open", "host", cfg.ConnConfig.Host, "database", cfg.ConnConfig.Database, "max_conns", cfg.MaxConns)
	return pool, nil
}

// IsUniqueViolation reports whether err is a unique-constraint violation.
func IsUniqueViolation(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "23505"
}

// redact keeps passwords that pgx may echo from a malformed URL out of logs.
func redact(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	if i := strings.Index(msg, "password="); i >= 0 {
		return errors.New(msg[:i] + "password=***")
	}
	return err
}
