-- 0013: the search queue names its documents; their rows are made when
-- they are indexed.
--
-- Since 0012 a new tip or case made its search_docs row at once and queued
-- that row's rowid: per tip, two rows of search_docs, two entries of its
-- (kind, ref) index (each on a leaf of its own, the ids being random) and
-- the lookup that found the rowid again, all written with the tip's
-- commit. The queue now holds the kind and id, in the order the documents
-- arrive, and store_search_catch_up() makes the search_docs rows in that
-- order and indexes them: the rows keep the order they had, the index
-- entries of a whole batch share their leaves in one commit, and a tip's
-- commit writes one small row per document.
--
-- Only the search reads search_docs, and it catches the queue up first,
-- so no reader sees a document missing. The update triggers need no
-- change: a queued document has no search_docs row yet, so they change
-- nothing, and its text is read when it is indexed. The delete triggers
-- also drop a queued document; the queue is short (a batch), so that
-- scan needs no index.

-- The documents queued under 0012 already have their rows: index them.
INSERT INTO search_fts (rowid, body) SELECT d.rowid, v.body
	FROM search_queue q JOIN search_docs d ON d.rowid = q.rowid
	JOIN search_tip_text v ON v.id = d.ref WHERE d.kind = 'tip';
INSERT INTO search_fts (rowid, body) SELECT d.rowid, v.body
	FROM search_queue q JOIN search_docs d ON d.rowid = q.rowid
	JOIN search_case_text v ON v.id = d.ref WHERE d.kind = 'case';

DROP TRIGGER search_tip_insert;
DROP TRIGGER search_tip_delete;
DROP TRIGGER search_case_insert;
DROP TRIGGER search_case_delete;
DROP TABLE search_queue;

CREATE TABLE search_queue (
	rowid INTEGER PRIMARY KEY,
	kind TEXT NOT NULL CHECK (kind IN ('tip', 'case')),
	ref TEXT NOT NULL
);

CREATE TRIGGER search_tip_insert AFTER INSERT ON tips BEGIN
	INSERT INTO search_queue (kind, ref) VALUES ('tip', NEW.id);
END;

CREATE TRIGGER search_tip_delete AFTER DELETE ON tips BEGIN
	DELETE FROM search_fts
	WHERE rowid = (SELECT rowid FROM search_docs WHERE kind = 'tip' AND ref = OLD.id);
	DELETE FROM search_docs WHERE kind = 'tip' AND ref = OLD.id;
	DELETE FROM search_queue WHERE kind = 'tip' AND ref = OLD.id;
END;

CREATE TRIGGER search_case_insert AFTER INSERT ON cases BEGIN
	INSERT INTO search_queue (kind, ref) VALUES ('case', NEW.id);
END;

CREATE TRIGGER search_case_delete AFTER DELETE ON cases BEGIN
	DELETE FROM search_fts
	WHERE rowid = (SELECT rowid FROM search_docs WHERE kind = 'case' AND ref = OLD.id);
	DELETE FROM search_docs WHERE kind = 'case' AND ref = OLD.id;
	DELETE FROM search_queue WHERE kind = 'case' AND ref = OLD.id;
	DELETE FROM entities WHERE case_id = OLD.id;
END;
