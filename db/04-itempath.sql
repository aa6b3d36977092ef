-- 04-itempath.sql: the project's own tables, beside the grain state.
--
-- Idempotent: CREATE ... IF NOT EXISTS only, so applying this file again changes nothing.
-- Plain SQL (no psql meta-commands).
--
-- Grain state is one opaque row per grain and cannot be queried, so:
--  * itempath_users is the user directory: a projection of each user grain, upserted after
--    every user write, serving lists, filters, totals and lookups by email. The grains keep
--    the truth (unique usernames live in the username index grain), so no unique constraint
--    here beyond the key: projections may arrive out of order during a rename.
--  * itempath_security_events is append-only (logins, reuse detections, revocations...),
--    kept out of grain state so a user's state stays small.
-- itempath_schema_migrations (one row per db/ file) is created in 01-orleans-main.sql.

SET client_min_messages = warning;
DO $$ BEGIN PERFORM pg_advisory_xact_lock(hashtext('itempath-schema')); END $$;

CREATE TABLE IF NOT EXISTS itempath_users
(
    tenant text NOT NULL,
    id int NOT NULL,
    username text NOT NULL,
    username_normalized text NOT NULL,
    email text NULL,
    email_normalized text NULL,
    type text NOT NULL,
    status int NOT NULL,
    is_admin boolean NOT NULL,
    language text NOT NULL,
    time_zone text NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,

    PRIMARY KEY (tenant, id)
);

-- Prefix filters (`username_normalized LIKE 'abc%'`) and exact lookups, per tenant.
CREATE INDEX IF NOT EXISTS itempath_users_username_prefix
    ON itempath_users (tenant, username_normalized text_pattern_ops);
CREATE INDEX IF NOT EXISTS itempath_users_email_prefix
    ON itempath_users (tenant, email_normalized text_pattern_ops);

CREATE TABLE IF NOT EXISTS itempath_security_events
(
    id bigserial PRIMARY KEY,
    tenant text NOT NULL,
    user_id int NULL,
    at timestamptz NOT NULL,
    name text NOT NULL,
    address text NULL,
    detail text NULL
);

-- A user's (or a tenant's, user_id NULL) events, newest first.
CREATE INDEX IF NOT EXISTS itempath_security_events_user_at
    ON itempath_security_events (tenant, user_id, at DESC);

-- The silos' retention sweep (RetentionSweeper) deletes the oldest events: rows arrive in time
-- order, so a BRIN index on "at" (a few pages for millions of rows) finds them.
CREATE INDEX IF NOT EXISTS itempath_security_events_at
    ON itempath_security_events USING brin (at);

INSERT INTO itempath_schema_migrations (version, name)
VALUES (4, '04-itempath')
ON CONFLICT (version) DO NOTHING;
