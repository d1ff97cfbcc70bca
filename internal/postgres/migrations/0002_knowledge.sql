-- The localized knowledge base: articles, their per-locale (and per-market) variants with
-- version history, and the retrieval chunks with full text and embeddings.

CREATE TABLE kb_articles (
    id          uuid PRIMARY KEY,
    external_id text NOT NULL UNIQUE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

-- A variant is one locale of an article, for every market (market = '') or as a market
-- override whose sections replace the same-named sections of the market-wide variant.
-- A translation records the version of its source it was made from; it is stale while the
-- source has a newer version.
CREATE TABLE kb_variants (
    id             uuid PRIMARY KEY,
    article_id     uuid NOT NULL REFERENCES kb_articles (id) ON DELETE CASCADE,
    locale         text NOT NULL,
    market         text NOT NULL DEFAULT '',
    title          text NOT NULL,
    body           text NOT NULL,
    tags           text[] NOT NULL DEFAULT '{}',
    url            text NOT NULL DEFAULT '',
    status         text NOT NULL DEFAULT 'published' CHECK (status IN ('draft', 'published')),
    version        integer NOT NULL DEFAULT 1,
    content_hash   text NOT NULL,
    source_locale  text NOT NULL DEFAULT '',
    source_version integer,
    updated_by     text NOT NULL DEFAULT '',
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (article_id, locale, market)
);

-- Every version of every variant: who changed what, and when.
CREATE TABLE kb_variant_versions (
    variant_id     uuid NOT NULL REFERENCES kb_variants (id) ON DELETE CASCADE,
    version        integer NOT NULL,
    title          text NOT NULL,
    body           text NOT NULL,
    tags           text[] NOT NULL,
    status         text NOT NULL,
    source_version integer,
    content_hash   text NOT NULL,
    changed_by     text NOT NULL,
    changed_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (variant_id, version)
);

-- Retrieval units of published variants. A market override's chunks are those of the merged
-- text (market-wide sections with the override's sections in place), stored with its market.
CREATE TABLE kb_chunks (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    variant_id  uuid NOT NULL REFERENCES kb_variants (id) ON DELETE CASCADE,
    article_id  uuid NOT NULL REFERENCES kb_articles (id) ON DELETE CASCADE,
    locale      text NOT NULL,
    market      text NOT NULL,
    ordinal     integer NOT NULL,
    heading     text NOT NULL,
    body        text NOT NULL,
    fts         tsvector NOT NULL,
    UNIQUE (variant_id, ordinal)
);
CREATE INDEX kb_chunks_fts ON kb_chunks USING gin (fts);
CREATE INDEX kb_chunks_scope ON kb_chunks (locale, market);

-- Embedding spaces: vectors of different models or dimensions are never compared. Each space
-- gets its own partial HNSW index over an expression cast to its dimensions, created when the
-- space is first used.
CREATE TABLE kb_embedding_spaces (
    model      text PRIMARY KEY,
    dims       integer NOT NULL CHECK (dims > 0 AND dims <= 16000),
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE kb_embeddings (
    chunk_id  bigint NOT NULL REFERENCES kb_chunks (id) ON DELETE CASCADE,
    model     text NOT NULL REFERENCES kb_embedding_spaces (model),
    embedding vector NOT NULL,
    PRIMARY KEY (chunk_id, model)
);
