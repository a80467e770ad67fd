-- 0003: referrals actually made for a tip, as Primero models them: to
-- whom, when, by whom, with the person's consent or the reason it was made
-- without, and what came of it. The directory entry is named by its stable
-- id (data/directory/); the override reason is staff's own words about a
-- case, so it is sealed ("referrals/override/<id>").
CREATE TABLE referrals (
	id TEXT PRIMARY KEY,
	tip_id TEXT NOT NULL REFERENCES tips (id),
	entry_id TEXT NOT NULL,
	-- The routing rule that suggested it, or '' when staff chose the line.
	rule TEXT NOT NULL DEFAULT '',
	made_at INTEGER NOT NULL,
	user_id INTEGER NOT NULL REFERENCES users (id),
	-- 1: the person agreed; 0: made without consent, override says why.
	consent INTEGER NOT NULL CHECK (consent IN (0, 1)),
	override BLOB,
	outcome TEXT NOT NULL DEFAULT 'made'
		CHECK (outcome IN ('made', 'accepted', 'rejected', 'done')),
	outcome_at INTEGER,
	outcome_by INTEGER REFERENCES users (id),
	CHECK (consent = 1 OR override IS NOT NULL)
);

CREATE INDEX referrals_tip ON referrals (tip_id, made_at);
