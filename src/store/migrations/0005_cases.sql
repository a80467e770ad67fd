-- 0005: cases. Every tip belongs to exactly one case; staff work cases, not
-- tips. Names follow the HTCDS case data standard where it has one (case
-- status, person fields); docs/cases.md maps them.
--
-- As for tips, only what queues sort and filter on is in the clear. Names,
-- addresses and free text are sealed by crypto/seal.h with the associated
-- data "<table>/<column>/<id>".
--
-- Child tables reference cases (id) with ON DELETE CASCADE, so deleting a
-- case (retention purge of a closed case) removes its persons, locations,
-- history and access grants with it. Teams are created before cases so that
-- cases.assignee_team can reference them.

-- A group of staff (a unit, a shift) or a child-exploitation team (MDT) whose
-- members come from partner agencies. Cases can be assigned to a team and
-- restricted cases opened to one.
CREATE TABLE teams (
	id INTEGER PRIMARY KEY,
	name TEXT NOT NULL UNIQUE,
	-- staff: an internal unit; mdt: a multidisciplinary team.
	kind TEXT NOT NULL DEFAULT 'staff' CHECK (kind IN ('staff', 'mdt')),
	created_at INTEGER NOT NULL,
	-- Disabled rather than deleted, so history keeps its names.
	disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1))
);

CREATE TABLE team_members (
	team_id INTEGER NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
	user_id INTEGER NOT NULL REFERENCES users (id),
	-- The member's agency, for MDT attendance ("Probation", ...); '' for staff.
	agency TEXT NOT NULL DEFAULT '',
	added_at INTEGER NOT NULL,
	PRIMARY KEY (team_id, user_id)
) WITHOUT ROWID;

-- The teams a user is in, for access checks.
CREATE INDEX team_members_user ON team_members (user_id, team_id);

CREATE TABLE cases (
	-- Random public id, 16 hex digits, like a tip's.
	id TEXT PRIMARY KEY,
	-- Unix seconds, UTC. created_at is the waiting time the queue sorts by.
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	-- Set when the status becomes closed or closed_referred, cleared when
	-- it is reopened; retention counts from it.
	closed_at INTEGER,
	-- HTCDS case status (Active, FollowUp, Closed, ClosedReferred), plus
	-- merged: the case was merged into merged_into and is kept only so that
	-- its id and history still resolve.
	status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active',
		'follow_up', 'closed', 'closed_referred', 'merged')),
	-- The case this one was merged into; NULL again if that case is purged.
	merged_into TEXT REFERENCES cases (id) ON DELETE SET NULL
		CHECK (status = 'merged' OR merged_into IS NULL),
	-- Derived from the case's tips (app/cases.c keeps them current when a
	-- tip is screened, added, merged in or split out): the worst urgency,
	-- whether any tip says someone is in danger now, the strongest screen
	-- status, the union of kinds and typology slugs (comma-separated, in
	-- the order first seen) and the coarse place of the first tip with one.
	urgency TEXT NOT NULL DEFAULT ''
		CHECK (urgency IN ('', 'crisis', 'priority', 'routine')),
	danger_now INTEGER NOT NULL DEFAULT 0 CHECK (danger_now IN (0, 1)),
	screen_status TEXT NOT NULL DEFAULT ''
		CHECK (screen_status IN ('', 'likely', 'possible', 'not_indicated')),
	kinds TEXT NOT NULL DEFAULT '',
	typology TEXT NOT NULL DEFAULT '',
	country TEXT NOT NULL DEFAULT '',
	region TEXT NOT NULL DEFAULT '',
	city TEXT NOT NULL DEFAULT '',
	-- How many tips the case holds (derived, for the queue).
	ntips INTEGER NOT NULL DEFAULT 0,
	-- Assignment (app/work.c): a user, a team, both or neither.
	assignee_user INTEGER REFERENCES users (id),
	assignee_team INTEGER REFERENCES teams (id),
	-- 1: only users and teams granted in case_access (and the roles
	-- docs/permissions.md allows) may open the case.
	restricted INTEGER NOT NULL DEFAULT 0 CHECK (restricted IN (0, 1)),
	-- The triage order: someone in danger now or a crisis, then priority
	-- (an unscreened case ranks with priority: nobody has read it yet),
	-- then routine.
	urgency_rank INTEGER GENERATED ALWAYS AS (CASE
		WHEN danger_now = 1 OR urgency = 'crisis' THEN 0
		WHEN urgency IN ('priority', '') THEN 1 ELSE 2 END) VIRTUAL
);

-- The triage queue: one status, crisis first, then oldest first; the id
-- breaks ties for keyset paging.
CREATE INDEX cases_queue ON cases (status, urgency_rank, created_at, id);
-- The same order across the open statuses and across all.
CREATE INDEX cases_triage ON cases (urgency_rank, created_at, id);
CREATE INDEX cases_assignee_user ON cases (assignee_user) WHERE assignee_user IS NOT NULL;
CREATE INDEX cases_assignee_team ON cases (assignee_team) WHERE assignee_team IS NOT NULL;
-- Retention: closed cases by the time they were closed.
CREATE INDEX cases_closed ON cases (closed_at) WHERE closed_at IS NOT NULL;

-- Which case each tip belongs to. The tip is the primary key: a tip is in
-- exactly one case. A tip without a row here is backlog: the server opens a
-- case for it at start (a crash between storing a tip and opening its case).
CREATE TABLE case_tips (
	tip_id TEXT PRIMARY KEY REFERENCES tips (id) ON DELETE CASCADE,
	case_id TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
	added_at INTEGER NOT NULL
) WITHOUT ROWID;

CREATE INDEX case_tips_case ON case_tips (case_id, added_at);

-- The case's history: who did what, when. The detail names ids, statuses
-- and field names, never sealed content.
CREATE TABLE case_events (
	id INTEGER PRIMARY KEY,
	case_id TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
	at INTEGER NOT NULL,
	-- The staff member; NULL for the system (a case opened for a new tip).
	user_id INTEGER REFERENCES users (id),
	-- opened, status, tip_added, merged_from, merged_into, split_from,
	-- split_to, person_added, person_changed, location_added, assigned,
	-- restricted, ... (docs/cases.md lists them).
	kind TEXT NOT NULL,
	-- The other case of a merge or split; NULL otherwise. Not a foreign
	-- key: the history outlives a purged case.
	other_case TEXT,
	detail TEXT NOT NULL DEFAULT ''
);

CREATE INDEX case_events_case ON case_events (case_id, at, id);

-- A person in a case (HTCDS): a potential victim, a suspected exploiter or
-- someone else. Picklist values are the slugs of data/cases/picklists.txt;
-- list-valued fields hold comma-separated slugs.
CREATE TABLE persons (
	-- Random public id, 16 hex digits.
	id TEXT PRIMARY KEY,
	case_id TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	created_by INTEGER REFERENCES users (id),
	case_role TEXT NOT NULL
		CHECK (case_role IN ('potential_victim', 'suspected_exploiter', 'other')),
	-- An exact age has age_min = age_max; a range has both; unknown is
	-- NULL. The age at the time of exploitation, as HTCDS asks.
	age_min INTEGER CHECK (age_min IS NULL OR age_min BETWEEN 0 AND 130),
	age_max INTEGER CHECK (age_max IS NULL OR age_max BETWEEN 0 AND 130),
	gender TEXT NOT NULL DEFAULT '',
	-- ISO 3166-1 alpha-2, or ''.
	nationality TEXT NOT NULL DEFAULT '',
	-- HTCDS RoleInProcess: recruiter, transporter, ... (suspects).
	process_roles TEXT NOT NULL DEFAULT '',
	-- HTCDS MethodsOfControl* slugs.
	control_methods TEXT NOT NULL DEFAULT '',
	-- HTCDS type of exploitation (sexual, labour, ...) and industry.
	exploitation TEXT NOT NULL DEFAULT '',
	industry TEXT NOT NULL DEFAULT '',
	trafficking_status TEXT NOT NULL DEFAULT 'possible'
		CHECK (trafficking_status IN ('possible', 'actual', 'not')),
	-- Sealed: the name(s) and aliases, and staff's free-text description.
	name BLOB,
	notes BLOB,
	CHECK (age_min IS NULL OR age_max IS NULL OR age_min <= age_max)
);

CREATE INDEX persons_case ON persons (case_id, created_at);

-- A place in a case: where someone was recruited, exploited, lives...
-- Only the coarse place is in the clear.
CREATE TABLE locations (
	id TEXT PRIMARY KEY,
	case_id TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
	created_at INTEGER NOT NULL,
	created_by INTEGER REFERENCES users (id),
	-- The location's role, a slug of data/cases/picklists.txt.
	kind TEXT NOT NULL DEFAULT 'other',
	country TEXT NOT NULL DEFAULT '',
	region TEXT NOT NULL DEFAULT '',
	city TEXT NOT NULL DEFAULT '',
	-- Sealed: the street address and staff's description of the place.
	address BLOB,
	description BLOB
);

CREATE INDEX locations_case ON locations (case_id, created_at);

-- Who may open a restricted case besides the roles that always may: named
-- users or whole teams (app/access.c).
CREATE TABLE case_access (
	id INTEGER PRIMARY KEY,
	case_id TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
	user_id INTEGER REFERENCES users (id),
	team_id INTEGER REFERENCES teams (id) ON DELETE CASCADE,
	granted_by INTEGER REFERENCES users (id),
	granted_at INTEGER NOT NULL,
	CHECK ((user_id IS NULL) <> (team_id IS NULL))
);

CREATE UNIQUE INDEX case_access_user ON case_access (case_id, user_id) WHERE user_id IS NOT NULL;
CREATE UNIQUE INDEX case_access_team ON case_access (case_id, team_id) WHERE team_id IS NOT NULL;
CREATE INDEX case_access_by_user ON case_access (user_id) WHERE user_id IS NOT NULL;
CREATE INDEX case_access_by_team ON case_access (team_id) WHERE team_id IS NOT NULL;
