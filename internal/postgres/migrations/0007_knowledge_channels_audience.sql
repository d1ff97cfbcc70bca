-- Which channels a variant is for (empty: every channel) and who may read it: 'customers'
-- (the agent quotes it) or 'agents' (internal guidance for the human team). Search filters
-- on both, so an agents-only note never reaches a customer.
ALTER TABLE kb_variants
    ADD COLUMN channels text[] NOT NULL DEFAULT '{}',
    ADD COLUMN audience text NOT NULL DEFAULT 'customers' CHECK (audience IN ('customers', 'agents'));
