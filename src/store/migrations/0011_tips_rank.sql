-- 0010: an index for the tips queue in triage order (store_tip_list).
--
-- The queue reads each urgency rank newest first: urgency_rank = ? AND
-- rowid < ? ORDER BY rowid DESC. An index on urgency_rank alone carries
-- the rowid as its last column, so that is a seek and a walk backwards;
-- tips_triage (urgency_rank, status) has the status in between and would
-- make SQLite sort every tip of the rank on every page.
CREATE INDEX tips_rank ON tips (urgency_rank);
