-- 0008: the TOTP second factor (app/totp.c).
--
-- One row per user with two secrets, each sealed by crypto/seal.h with the
-- associated data "user_totp/<column>/<user_id>", so a copied value opens
-- for no other user and no other column:
--  - secret: the secret in force, asked for at sign-in; NULL until one has
--    been confirmed.
--  - pending: a secret being set up in the console, until the user shows
--    one code from it. Setting up again never touches the secret in force,
--    so a session that can reach the set-up page cannot switch the second
--    factor off by starting a new one and leaving it unconfirmed.
CREATE TABLE user_totp (
	user_id INTEGER PRIMARY KEY REFERENCES users (id),
	secret BLOB,
	pending BLOB,
	changed_at INTEGER NOT NULL,
	-- The time step (unix time / 30) of the last code accepted, so that a
	-- code seen over someone's shoulder cannot be used a second time.
	last_step INTEGER NOT NULL DEFAULT 0,
	CHECK (secret IS NOT NULL OR pending IS NOT NULL)
);

-- 1 while a session has passed the password but not yet the code; such a
-- session opens only the page that asks for the code.
ALTER TABLE sessions ADD COLUMN totp_pending INTEGER NOT NULL DEFAULT 0
	CHECK (totp_pending IN (0, 1));
