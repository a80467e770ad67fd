-- 0012: new documents wait in a queue for the search index.
--
-- FTS5 writes a segment of its index for every transaction, and every
-- savepoint, that adds to it, and merges those segments as they pile up:
-- indexing each new tip and its case at once cost a third of the CPU time
-- of storing a tip. A new tip or case now only queues its document's rowid
-- (the search_docs row is made as before, so its place in the newest-first
-- order is fixed when it arrives); store_search_catch_up() indexes the
-- queue, many documents to a segment, and store_search() calls it before
-- every query, so a search always sees every document.
--
-- The update triggers need no change: updating a queued document's text,
-- which is not in search_fts yet, changes nothing, and the text is read
-- when it is indexed. The delete triggers also drop a queued rowid.
CREATE TABLE search_queue (rowid INTEGER PRIMARY KEY);

DROP TRIGGER search_tip_insert;
CREATE TRIGGER search_tip_insert AFTER INSERT ON tips BEGIN
	INSERT INTO search_docs (kind, ref) VALUES ('tip', NEW.id);
	INSERT INTO search_queue (rowid)
		SELECT rowid FROM search_docs WHERE kind = 'tip' AND ref = NEW.id;
END;

DROP TRIGGER search_tip_delete;
CREATE TRIGGER search_tip_delete AFTER DELETE ON tips BEGIN
	DELETE FROM search_fts
	WHERE rowid = (SELECT rowid FROM search_docs WHERE kind = 'tip' AND ref = OLD.id);
	DELETE FROM search_queue
	WHERE rowid = (SELECT rowid FROM search_docs WHERE kind = 'tip' AND ref = OLD.id);
	DELETE FROM search_docs WHERE kind = 'tip' AND ref = OLD.id;
END;

DROP TRIGGER search_case_insert;
CREATE TRIGGER search_case_insert AFTER INSERT ON cases BEGIN
	INSERT INTO search_docs (kind, ref) VALUES ('case', NEW.id);
	INSERT INTO search_queue (rowid)
		SELECT rowid FROM search_docs WHERE kind = 'case' AND ref = NEW.id;
END;

DROP TRIGGER search_case_delete;
CREATE TRIGGER search_case_delete AFTER DELETE ON cases BEGIN
	DELETE FROM search_fts
	WHERE rowid = (SELECT rowid FROM search_docs WHERE kind = 'case' AND ref = OLD.id);
	DELETE FROM search_queue
	WHERE rowid = (SELECT rowid FROM search_docs WHERE kind = 'case' AND ref = OLD.id);
	DELETE FROM search_docs WHERE kind = 'case' AND ref = OLD.id;
	DELETE FROM entities WHERE case_id = OLD.id;
END;
