-- 0001_init.sql - the first schema of the vigil store.
--
-- Applied by store_open() inside one transaction (BEGIN IMMEDIATE ... COMMIT),
-- so this file holds no transaction statements of its own. The migration's
-- number is recorded in schema_migrations, which store_open() creates.
--
-- The BLOB columns narrative, contact, details and body hold values sealed by
-- crypto/seal.h (XChaCha20-Poly1305 with "table/column/row-id" as associated
-- data). They are encrypted before they reach the store and decrypted after
-- they leave it: the database never holds a key or a plaintext narrative, so
-- a copied database file or backup discloses no reporter's words.

-- A report from the public, the API or an operator. Only what the response
-- work needs is kept in the clear (status, coarse place, language, whether
-- someone is in danger now) so that queues can be filtered without keys.
--
-- The reporter's network address and user agent are deliberately absent: a
-- tip line that stores them can be compelled or breached into identifying
-- the people it promised to protect.
CREATE TABLE tips (
	-- Random public id, 16 hex digits; never derived from the content.
	id TEXT PRIMARY KEY,
	-- Keyed BLAKE2b of the reporter's receipt (crypto/receipt.h), so a
	-- reporter can come back without the store holding the receipt itself.
	receipt_index BLOB NOT NULL UNIQUE CHECK (length(receipt_index) = 32),
	-- Unix seconds, UTC.
	created_at INTEGER NOT NULL,
	-- Bumped by status changes and by every message, for "recently active".
	updated_at INTEGER NOT NULL,
	status TEXT NOT NULL CHECK (status IN ('new', 'in_review', 'closed')),
	source TEXT NOT NULL CHECK (source IN ('web', 'api', 'phone')),
	-- ISO 3166-1 alpha-2 and the ISO 3166-2 subdivision suffix, or '':
	-- coarse enough to route a referral, not to find a person.
	country TEXT NOT NULL DEFAULT '',
	region TEXT NOT NULL DEFAULT '',
	city TEXT NOT NULL DEFAULT '',
	-- The language the reporter wants answers in ("en", "es", ...).
	language TEXT NOT NULL DEFAULT '',
	-- Someone is in immediate danger: such tips go to the top of the queue.
	danger_now INTEGER NOT NULL CHECK (danger_now IN (0, 1)),
	-- The reporter agreed to be contacted at the sealed contact address.
	may_contact INTEGER NOT NULL CHECK (may_contact IN (0, 1)),
	-- Sealed: the reporter's own words.
	narrative BLOB NOT NULL,
	-- Sealed; NULL for an anonymous tip.
	contact BLOB,
	-- Sealed JSON: when, place detail, people described.
	details BLOB
);

-- The staff queues: one status, newest first.
CREATE INDEX tips_status_created ON tips (status, created_at);
-- The full list, newest first, and retention by age.
CREATE INDEX tips_created ON tips (created_at);

-- The conversation between staff and a reporter on one tip.
CREATE TABLE messages (
	-- Random public id.
	id TEXT PRIMARY KEY,
	tip_id TEXT NOT NULL REFERENCES tips (id),
	created_at INTEGER NOT NULL,
	author TEXT NOT NULL CHECK (author IN ('reporter', 'staff')),
	-- The staff member who wrote it; NULL for the reporter, who has no
	-- account and must not be linkable to one.
	user_id INTEGER NULL REFERENCES users (id)
		CHECK (author = 'staff' OR user_id IS NULL),
	-- Sealed: the message text.
	body BLOB NOT NULL
);

-- A tip's messages in order.
CREATE INDEX messages_tip_created ON messages (tip_id, created_at);

-- Staff accounts. The public never has one.
CREATE TABLE users (
	id INTEGER PRIMARY KEY,
	name TEXT NOT NULL UNIQUE,
	role TEXT NOT NULL CHECK (role IN ('admin', 'supervisor', 'advocate',
		'analyst', 'investigator', 'team_member', 'volunteer')),
	-- An Argon2id string from crypto/password.h (salt and cost inside).
	password_hash TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	-- 1 while the password is a one-time password that must be replaced
	-- at the next sign-in.
	must_change INTEGER NOT NULL DEFAULT 0 CHECK (must_change IN (0, 1)),
	-- Disabled rather than deleted, so audit entries keep their author.
	disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1))
);

-- Signed-in staff. Sessions live here rather than in a server's memory so
-- several servers can share them. Only a hash of the token is stored: a
-- leaked database does not let anyone sign in.
CREATE TABLE sessions (
	token_hash BLOB PRIMARY KEY CHECK (length(token_hash) = 32),
	user_id INTEGER NOT NULL REFERENCES users (id),
	kind TEXT NOT NULL CHECK (kind IN ('web', 'api')),
	created_at INTEGER NOT NULL,
	-- For idle expiry.
	last_seen INTEGER NOT NULL
) WITHOUT ROWID;

-- Idle expiry deletes by last_seen.
CREATE INDEX sessions_last_seen ON sessions (last_seen);

-- What staff (and the system) did, for accountability. Append-only: the
-- store offers no function that changes or deletes an entry. Detail never
-- holds sealed plaintext.
CREATE TABLE audit (
	id INTEGER PRIMARY KEY,
	at INTEGER NOT NULL,
	-- The acting staff member; NULL for the system itself.
	user_id INTEGER,
	-- What was done, e.g. "tip.status".
	action TEXT NOT NULL,
	-- What it was done to, e.g. a tip id; may be NULL.
	object TEXT,
	detail TEXT
);

-- Counters over fixed time windows (e.g. failed receipt lookups), kept in
-- the store so that every server sees the same count. Windows older than
-- the previous one are deleted as new hits arrive.
CREATE TABLE throttle (
	name TEXT NOT NULL,
	-- Start of the window in unix seconds: a multiple of its length.
	window_start INTEGER NOT NULL,
	count INTEGER NOT NULL,
	PRIMARY KEY (name, window_start)
) WITHOUT ROWID;
