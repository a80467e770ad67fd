-- 0007_entities.sql - linked entities and the search index.
--
-- An entity is something that can tie one tip or case to another: a phone
-- number, an email address, a URL, a social media handle (found by the
-- screen) or a name, an address, a vehicle plate (added by staff). Its
-- value is sealed like every other piece of free text; what the store can
-- compare is the blind index, a BLAKE2b keyed with the index key over the
-- kind and the normalised value (app/links.c). Two tips that wrote one
-- phone number in two ways have the same index, and a copy of the database
-- without the key file cannot tell which number it is.

CREATE TABLE entities (
	-- Random public id, 16 hex digits; the sealed value's associated
	-- data is "entities/value/<id>".
	id TEXT PRIMARY KEY,
	kind TEXT NOT NULL CHECK (kind IN ('phone', 'email', 'url', 'handle',
		'name', 'address', 'plate')),
	-- Keyed BLAKE2b of "<kind>:<normalised value>", 32 bytes.
	blind BLOB NOT NULL CHECK (length(blind) = 32),
	-- Sealed: the normalised value, for display.
	value BLOB NOT NULL,
	-- What it belongs to: a tip or a case, never both. case_id is
	-- cases.id (0005); it is not declared a foreign key so that this
	-- migration does not depend on the cases schema's details.
	tip_id TEXT REFERENCES tips (id) ON DELETE CASCADE,
	case_id TEXT,
	source TEXT NOT NULL CHECK (source IN ('screening', 'staff')),
	-- The staff member who added it; NULL for the screen.
	user_id INTEGER REFERENCES users (id)
		CHECK (source = 'staff' OR user_id IS NULL),
	created_at INTEGER NOT NULL,
	CHECK ((tip_id IS NULL) <> (case_id IS NULL))
);

-- The lookup: every tip and case with one value.
CREATE INDEX entities_blind ON entities (blind);
-- One entity per value and owner; also the list of an owner's entities.
CREATE UNIQUE INDEX entities_tip ON entities (tip_id, blind) WHERE tip_id IS NOT NULL;
CREATE UNIQUE INDEX entities_case ON entities (case_id, blind) WHERE case_id IS NOT NULL;

-- Tips whose screening entities have been indexed, so that tips screened
-- before this table existed (or whose indexing failed) are found at start.
CREATE TABLE entity_scans (
	tip_id TEXT PRIMARY KEY REFERENCES tips (id) ON DELETE CASCADE,
	scanned_at INTEGER NOT NULL
) WITHOUT ROWID;

-- The search index. Each tip and case is one document made of its fields
-- that are not sealed (ids, status, kinds, typology, place, urgency, ...),
-- kept up to date by the triggers below. search_docs gives the documents
-- one rowid space in the order they were made, so results come newest
-- first and page by rowid; search_fts holds their text.
CREATE TABLE search_docs (
	rowid INTEGER PRIMARY KEY,
	kind TEXT NOT NULL CHECK (kind IN ('tip', 'case')),
	ref TEXT NOT NULL,
	UNIQUE (kind, ref)
);

-- "-" and "_" are part of a word, so that "sex-trafficking" and
-- "in_review" are found as written.
CREATE VIRTUAL TABLE search_fts USING fts5 (
	body,
	tokenize = "unicode61 remove_diacritics 2 tokenchars '-_'"
);

-- A tip's document: its fields that are not sealed.
CREATE VIEW search_tip_text (id, body) AS SELECT id,
	'tip ' || id || ' ' || status || ' ' || source || ' ' ||
	country || ' ' || region || ' ' ||
	CASE WHEN region <> '' THEN country || '-' || region ELSE '' END || ' ' ||
	city || ' ' || language || ' ' ||
	CASE WHEN danger_now THEN 'danger_now' ELSE '' END || ' ' ||
	screen_status || ' ' || urgency || ' ' ||
	replace(kinds, ',', ' ') || ' ' || replace(typology, ',', ' ')
	FROM tips;

CREATE TRIGGER search_tip_insert AFTER INSERT ON tips BEGIN
	INSERT INTO search_docs (kind, ref) VALUES ('tip', NEW.id);
	INSERT INTO search_fts (rowid, body)
		SELECT d.rowid, v.body FROM search_docs d, search_tip_text v
		WHERE d.kind = 'tip' AND d.ref = NEW.id AND v.id = NEW.id;
END;

CREATE TRIGGER search_tip_update AFTER UPDATE OF status, screen_status, urgency,
	kinds, typology ON tips BEGIN
	UPDATE search_fts SET body = (SELECT body FROM search_tip_text WHERE id = NEW.id)
	WHERE rowid = (SELECT rowid FROM search_docs WHERE kind = 'tip' AND ref = NEW.id);
END;

CREATE TRIGGER search_tip_delete AFTER DELETE ON tips BEGIN
	DELETE FROM search_fts
	WHERE rowid = (SELECT rowid FROM search_docs WHERE kind = 'tip' AND ref = OLD.id);
	DELETE FROM search_docs WHERE kind = 'tip' AND ref = OLD.id;
END;

-- The tips stored before this migration, oldest first.
INSERT INTO search_docs (kind, ref) SELECT 'tip', id FROM tips ORDER BY rowid;
INSERT INTO search_fts (rowid, body)
	SELECT d.rowid, v.body FROM search_docs d JOIN search_tip_text v
	ON d.kind = 'tip' AND v.id = d.ref;

-- A case's document: its fields that are not sealed and the attributes of
-- its persons that are not (role, gender, nationality, HTCDS picklists,
-- trafficking status; "minor" when a person is under 18).
CREATE VIEW search_case_text (id, body) AS SELECT c.id,
	'case ' || c.id || ' ' || c.status || ' ' || c.urgency || ' ' ||
	c.screen_status || ' ' ||
	replace(c.kinds, ',', ' ') || ' ' || replace(c.typology, ',', ' ') || ' ' ||
	c.country || ' ' || c.region || ' ' ||
	CASE WHEN c.region <> '' THEN c.country || '-' || c.region ELSE '' END || ' ' ||
	c.city || ' ' ||
	CASE WHEN c.danger_now THEN 'danger_now' ELSE '' END || ' ' ||
	CASE WHEN c.restricted THEN 'restricted' ELSE '' END || ' ' ||
	coalesce((SELECT group_concat(p.case_role || ' ' || p.gender || ' ' ||
		p.nationality || ' ' || replace(p.process_roles, ',', ' ') || ' ' ||
		replace(p.control_methods, ',', ' ') || ' ' ||
		replace(p.exploitation, ',', ' ') || ' ' ||
		replace(p.industry, ',', ' ') || ' ' || p.trafficking_status || ' ' ||
		CASE WHEN p.age_max < 18 THEN 'minor' ELSE '' END, ' ')
		FROM persons p WHERE p.case_id = c.id), '')
	FROM cases c;

CREATE TRIGGER search_case_insert AFTER INSERT ON cases BEGIN
	INSERT INTO search_docs (kind, ref) VALUES ('case', NEW.id);
	INSERT INTO search_fts (rowid, body)
		SELECT d.rowid, v.body FROM search_docs d, search_case_text v
		WHERE d.kind = 'case' AND d.ref = NEW.id AND v.id = NEW.id;
END;

CREATE TRIGGER search_case_update AFTER UPDATE OF status, urgency, screen_status,
	kinds, typology, country, region, city, danger_now, restricted ON cases BEGIN
	UPDATE search_fts SET body = (SELECT body FROM search_case_text WHERE id = NEW.id)
	WHERE rowid = (SELECT rowid FROM search_docs WHERE kind = 'case' AND ref = NEW.id);
END;

CREATE TRIGGER search_case_delete AFTER DELETE ON cases BEGIN
	DELETE FROM search_fts
	WHERE rowid = (SELECT rowid FROM search_docs WHERE kind = 'case' AND ref = OLD.id);
	DELETE FROM search_docs WHERE kind = 'case' AND ref = OLD.id;
	DELETE FROM entities WHERE case_id = OLD.id;
END;

CREATE TRIGGER search_person_insert AFTER INSERT ON persons BEGIN
	UPDATE search_fts SET body = (SELECT body FROM search_case_text WHERE id = NEW.case_id)
	WHERE rowid = (SELECT rowid FROM search_docs WHERE kind = 'case' AND ref = NEW.case_id);
END;

CREATE TRIGGER search_person_update AFTER UPDATE ON persons BEGIN
	UPDATE search_fts SET body = (SELECT body FROM search_case_text WHERE id = NEW.case_id)
	WHERE rowid = (SELECT rowid FROM search_docs WHERE kind = 'case' AND ref = NEW.case_id);
END;

CREATE TRIGGER search_person_delete AFTER DELETE ON persons BEGIN
	UPDATE search_fts SET body = (SELECT body FROM search_case_text WHERE id = OLD.case_id)
	WHERE rowid = (SELECT rowid FROM search_docs WHERE kind = 'case' AND ref = OLD.case_id);
END;

-- The cases stored before this migration, oldest first.
INSERT INTO search_docs (kind, ref) SELECT 'case', id FROM cases ORDER BY rowid;
INSERT INTO search_fts (rowid, body)
	SELECT d.rowid, v.body FROM search_docs d JOIN search_case_text v
	ON d.kind = 'case' AND v.id = d.ref;
