-- The model (m, u and λ as JSON) a scan trained on the register and its items. The caseworker's
-- pre-check, the register search and re-verification weigh with the latest finished scan's model
-- instead of the a-priori one.
ALTER TABLE jobs ADD COLUMN model TEXT;
