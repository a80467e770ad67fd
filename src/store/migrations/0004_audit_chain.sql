-- 0004: the audit log becomes a hash chain. Each entry carries the hash of
-- the entry before it and its own keyed hash over its id, time, actor,
-- action, object and detail (app/audit.c), so editing or deleting an entry
-- breaks the chain where it happened. Entries written before this
-- migration have no hash; they can only come before the first chained one.
ALTER TABLE audit ADD COLUMN prev BLOB CHECK (prev IS NULL OR length(prev) = 32);
ALTER TABLE audit ADD COLUMN hash BLOB CHECK (hash IS NULL OR length(hash) = 32);
