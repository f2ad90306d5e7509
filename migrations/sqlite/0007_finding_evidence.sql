-- Issue 11: every finding keeps its evidence, the engine's waterfall from the prior to the
-- final probability (per-attribute comparison level and weight in bits, the rival, the rules),
-- as JSON. NULL for findings raised before the engine kept it.
ALTER TABLE findings ADD COLUMN evidence TEXT;

-- The pre-check of a report keeps the engine's evidence the same way (the case page shows it).
ALTER TABLE reports ADD COLUMN verdict_evidence TEXT;
