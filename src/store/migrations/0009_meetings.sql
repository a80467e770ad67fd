-- 0009: child-exploitation team (MDT) meetings, as Alameda County's
-- SafetyNet runs them (docs/meetings.md). A team (0005's teams) meets; the
-- youth cases on the agenda each carry a pre-meeting summary and, after the
-- meeting, an outcome and action items; attendees come from the member
-- agencies and may or may not have a vigil account.
--
-- Everything staff write about a youth, and attendees' names, is sealed
-- with the associated data "table/column/id" (store/meetings.h). The
-- safety status is a slug of data/meetings/safety_status.tsv: the list is
-- policy and may change without a migration, so it has no CHECK here.

CREATE TABLE meetings (
	-- Random public id, 16 hex digits.
	id TEXT PRIMARY KEY,
	team_id INTEGER NOT NULL REFERENCES teams (id),
	-- Unix seconds, UTC.
	starts_at INTEGER NOT NULL,
	-- Title and place name the meeting, never a youth, so they are clear.
	title TEXT NOT NULL,
	place TEXT NOT NULL DEFAULT '',
	status TEXT NOT NULL DEFAULT 'scheduled'
		CHECK (status IN ('scheduled', 'held', 'cancelled')),
	created_at INTEGER NOT NULL,
	created_by INTEGER REFERENCES users (id),
	updated_at INTEGER NOT NULL
);

-- Upcoming and past meetings, and a team's meetings.
CREATE INDEX meetings_starts ON meetings (starts_at);
CREATE INDEX meetings_team ON meetings (team_id, starts_at);

CREATE TABLE meeting_agenda (
	id TEXT PRIMARY KEY,
	meeting_id TEXT NOT NULL REFERENCES meetings (id),
	-- Purging a closed case takes it off every agenda.
	case_id TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
	-- The order of discussion, from 1.
	position INTEGER NOT NULL,
	-- Sealed JSON: background, case status, safety concerns.
	summary BLOB,
	safety_status TEXT NOT NULL DEFAULT 'unknown',
	-- Sealed JSON: safety plan, stabilisation steps.
	outcome BLOB,
	updated_at INTEGER NOT NULL,
	updated_by INTEGER REFERENCES users (id),
	UNIQUE (meeting_id, case_id)
);

-- The agenda cases a team member may see, and a case's meetings.
CREATE INDEX meeting_agenda_case ON meeting_agenda (case_id, meeting_id);

CREATE TABLE meeting_attendees (
	id TEXT PRIMARY KEY,
	meeting_id TEXT NOT NULL REFERENCES meetings (id),
	-- NULL for an attendee without a vigil account.
	user_id INTEGER REFERENCES users (id),
	-- Sealed: the attendee's name.
	name BLOB NOT NULL,
	agency TEXT NOT NULL DEFAULT '',
	present INTEGER NOT NULL DEFAULT 0 CHECK (present IN (0, 1))
);

CREATE INDEX meeting_attendees_meeting ON meeting_attendees (meeting_id);
CREATE INDEX meeting_attendees_user ON meeting_attendees (user_id);

CREATE TABLE meeting_actions (
	id TEXT PRIMARY KEY,
	agenda_id TEXT NOT NULL REFERENCES meeting_agenda (id) ON DELETE CASCADE,
	-- Sealed JSON: what is to be done and by whom.
	body BLOB NOT NULL,
	-- The owner's vigil account when they have one.
	owner_id INTEGER REFERENCES users (id),
	-- Unix seconds; NULL when no due date was set.
	due_at INTEGER,
	done INTEGER NOT NULL DEFAULT 0 CHECK (done IN (0, 1)),
	done_at INTEGER,
	done_by INTEGER REFERENCES users (id),
	created_at INTEGER NOT NULL
);

CREATE INDEX meeting_actions_agenda ON meeting_actions (agenda_id, created_at);
