-- Issue 11: every finding keeps its evidence, the engine's waterfall from the prior to the
-- final probability (per-attribute comparison level and weight in bits, the rival, the rules),
-- as JSON. NULL for findings raised before the engine kept it.
ALTER TABLE findings ADD COLUMN evidence TEXT;
