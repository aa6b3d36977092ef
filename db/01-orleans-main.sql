-- 01-orleans-main.sql: the query table of Orleans' ADO.NET providers, and the project's
-- record of applied schema files.
--
-- Idempotent: every statement creates only what is missing or rewrites a row to the same
-- value, so applying this file any number of times leaves the same schema and rows.
-- Apply in one transaction (scripts/pg.sh apply runs each file with psql -1).
--
-- The providers (Microsoft.Orleans.Clustering.AdoNet, Microsoft.Orleans.Persistence.AdoNet
-- 10.4.2, invariant "Npgsql") run `SELECT QueryKey, QueryText FROM OrleansQuery` at start
-- and use only those texts: 02 and 03 register them here.

SET client_min_messages = warning;  -- keep "already exists, skipping" notices quiet

-- Serialize concurrent appliers (run.sh and tests may apply at the same time); the lock
-- is held until the applying transaction ends.
DO $$ BEGIN PERFORM pg_advisory_xact_lock(hashtext('itempath-schema')); END $$;

CREATE TABLE IF NOT EXISTS OrleansQuery
(
    QueryKey varchar(64) NOT NULL,
    QueryText varchar(8000) NOT NULL,

    CONSTRAINT OrleansQuery_Key PRIMARY KEY (QueryKey)
);

-- One row per applied db/ file (each file records itself at its end).
CREATE TABLE IF NOT EXISTS itempath_schema_migrations
(
    version int PRIMARY KEY,
    name text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
);

INSERT INTO itempath_schema_migrations (version, name)
VALUES (1, '01-orleans-main')
ON CONFLICT (version) DO NOTHING;
