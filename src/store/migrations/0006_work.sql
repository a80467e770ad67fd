-- 0006: the daily work on a case (app/work.c): staff notes and tasks with
-- due times and owners, some of them started automatically by what the
-- screen found in the case's tips.
--
-- Both reference cases (id) with ON DELETE CASCADE, so the retention purge
-- of a closed case removes them with it. A note's text and a task's title
-- are staff's own words about people, so they are sealed by crypto/seal.h
-- with the associated data "notes/body/<id>" and "tasks/title/<id>".

CREATE TABLE notes (
	-- Random public id, 16 hex digits.
	id TEXT PRIMARY KEY,
	case_id TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
	created_at INTEGER NOT NULL,
	-- The author. Users are disabled, never deleted, so this always resolves.
	user_id INTEGER NOT NULL REFERENCES users (id),
	-- Sealed: the note.
	body BLOB NOT NULL
);

-- A case's notes in order.
CREATE INDEX notes_case ON notes (case_id, created_at);

CREATE TABLE tasks (
	-- Random public id, 16 hex digits.
	id TEXT PRIMARY KEY,
	case_id TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
	-- manual: written by staff, with a sealed title. The others are started
	-- by the screen (app/work.c) and titled by their kind:
	-- crisis_response: a crisis tip, to be answered within 24 hours;
	-- cse_referral: a minor, to be referred to the child-exploitation team.
	kind TEXT NOT NULL CHECK (kind IN ('manual', 'crisis_response', 'cse_referral')),
	-- Sealed; NULL for an automatic task.
	title BLOB CHECK (kind <> 'manual' OR title IS NOT NULL),
	created_at INTEGER NOT NULL,
	-- NULL for the system.
	created_by INTEGER REFERENCES users (id),
	-- Unix seconds; NULL for no due time.
	due_at INTEGER,
	-- The owner: a user, a team, or neither (the case's assignees then).
	owner_user INTEGER REFERENCES users (id),
	owner_team INTEGER REFERENCES teams (id),
	-- Set when done, cleared when reopened.
	done_at INTEGER,
	done_by INTEGER REFERENCES users (id),
	-- The tip whose screening started an automatic task. Not a foreign key:
	-- the tip may move to another case by a merge or split.
	tip_id TEXT
);

-- A case's tasks; at most one automatic task of each kind per case.
CREATE INDEX tasks_case ON tasks (case_id, done_at, due_at);
CREATE UNIQUE INDEX tasks_auto_once ON tasks (case_id, kind) WHERE kind <> 'manual';
-- The open tasks of a user or a team, soonest due first.
CREATE INDEX tasks_owner_user ON tasks (owner_user, due_at) WHERE done_at IS NULL;
CREATE INDEX tasks_owner_team ON tasks (owner_team, due_at) WHERE done_at IS NULL;

-- The tips that have already started an automatic task of a kind. A tip
-- moved to another case by a merge does not start that kind again there,
-- and screening a tip again starts nothing new. The kind 'checked' marks a
-- tip whose screening has been looked at, so that `vigil serve` looks at
-- the tips it has never seen (work_auto_backlog) and only those.
CREATE TABLE task_triggers (
	tip_id TEXT NOT NULL REFERENCES tips (id) ON DELETE CASCADE,
	kind TEXT NOT NULL,
	PRIMARY KEY (tip_id, kind)
) WITHOUT ROWID;
