-- 0002: what the screen found in each tip (screen/screen.h).
--
-- The plain columns are what the queue sorts and filters on; they say
-- nothing a person wrote. The full result quotes the narrative (the
-- evidence spans), so it is sealed like the narrative itself, with the
-- associated data "tips/screening/<id>".

-- Unix seconds of the last screening; NULL until the tip has been screened.
ALTER TABLE tips ADD COLUMN screened_at INTEGER;
-- likely, possible, not_indicated (under the configured framework), or ''.
ALTER TABLE tips ADD COLUMN screen_status TEXT NOT NULL DEFAULT ''
	CHECK (screen_status IN ('', 'likely', 'possible', 'not_indicated'));
-- crisis (a response within 24 hours), priority, routine, or ''.
ALTER TABLE tips ADD COLUMN urgency TEXT NOT NULL DEFAULT ''
	CHECK (urgency IN ('', 'crisis', 'priority', 'routine'));
-- Comma-separated: the kinds (sex, labor) and the typology slugs.
ALTER TABLE tips ADD COLUMN kinds TEXT NOT NULL DEFAULT '';
ALTER TABLE tips ADD COLUMN typology TEXT NOT NULL DEFAULT '';
-- Sealed JSON: the whole screening result with its evidence.
ALTER TABLE tips ADD COLUMN screening BLOB;
-- The triage order: crisis, then priority, then routine. A tip not yet
-- screened ranks with priority: nobody has read it, so it must not sink
-- below the routine ones.
ALTER TABLE tips ADD COLUMN urgency_rank INTEGER GENERATED ALWAYS AS
	(CASE urgency WHEN 'crisis' THEN 0 WHEN 'priority' THEN 1 WHEN '' THEN 1 ELSE 2 END) VIRTUAL;

CREATE INDEX tips_triage ON tips (urgency_rank, status);
