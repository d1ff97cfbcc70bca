-- Deleting an article cascades to its chunks; without this index each delete scans every
-- chunk (the variant side is covered by UNIQUE (variant_id, ordinal)).
CREATE INDEX kb_chunks_article ON kb_chunks (article_id);
