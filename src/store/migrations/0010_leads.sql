-- 0010_leads.sql - networks of online ads kept for the staff console, and
-- leads: cases opened from a network instead of from a tip (docs/ads.md,
-- "Networks in the console and leads").
--
-- `vigil ads import` stores each network that `vigil ads cluster
-- --networks` wrote; /staff/ads lists them in the order `vigil ads report`
-- ranks them, and turning one into a lead opens a case that holds no tip,
-- with the network's phones and emails as its entities.

CREATE TABLE ad_networks (
	-- Random public id, 16 hex digits; the summary's associated data is
	-- "ad_networks/summary/<id>".
	id TEXT PRIMARY KEY,
	-- The network's name in the import that last wrote it ("n0"): names
	-- are only stable within one index file, so they identify nothing here.
	name TEXT NOT NULL,
	imported_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	-- What the console sorts by, as `vigil ads report` does: a stated age
	-- under 18 first, then the risk score, then the number of ads.
	size INTEGER NOT NULL CHECK (size >= 0),
	risk REAL NOT NULL,
	under_18 INTEGER NOT NULL CHECK (under_18 IN (0, 1)),
	-- Sealed: the network as JSON (contacts, places, times, indicators,
	-- the score and why). Never ad text, images or addresses of images.
	summary BLOB NOT NULL,
	-- The lead opened from it; NULL until then, and again if the case is
	-- purged.
	case_id TEXT REFERENCES cases (id) ON DELETE SET NULL,
	lead_at INTEGER,
	lead_by INTEGER REFERENCES users (id)
);

CREATE INDEX ad_networks_rank ON ad_networks (under_18 DESC, risk DESC, size DESC, id);
CREATE INDEX ad_networks_case ON ad_networks (case_id) WHERE case_id IS NOT NULL;

-- Which stored network each ad belongs to, by a keyed BLAKE2b of "ad:<id>"
-- (the index key): a network read again, grown or not, is recognised by
-- any ad it shares with one stored before, so importing it twice updates
-- it instead of storing a second one. Ad ids are often the addresses of
-- the ads, so they are not kept in the clear.
CREATE TABLE ad_network_ads (
	blind BLOB PRIMARY KEY CHECK (length(blind) = 32),
	network_id TEXT NOT NULL REFERENCES ad_networks (id) ON DELETE CASCADE
) WITHOUT ROWID;

CREATE INDEX ad_network_ads_network ON ad_network_ads (network_id);
