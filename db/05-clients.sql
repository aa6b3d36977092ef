-- 05-clients.sql: the client directory, beside the grain state.
--
-- Idempotent: CREATE ... IF NOT EXISTS only, so applying this file again changes nothing.
--
-- itempath_clients is a projection of each client grain (the registration as the API shows it,
-- secrets by id and date only, never a digest), upserted after every client write, serving
-- GET /api/clients and its total. The client grain keeps the truth.

SET client_min_messages = warning;
DO $$ BEGIN PERFORM pg_advisory_xact_lock(hashtext('itempath-schema')); END $$;

CREATE TABLE IF NOT EXISTS itempath_clients
(
    tenant text NOT NULL,
    client_id text NOT NULL,
    client jsonb NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,

    PRIMARY KEY (tenant, client_id)
);

-- A tenant's clients in order of creation (the list's order).
CREATE INDEX IF NOT EXISTS itempath_clients_tenant_created
    ON itempath_clients (tenant, created_at, client_id);

INSERT INTO itempath_schema_migrations (version, name)
VALUES (5, '05-clients')
ON CONFLICT (version) DO NOTHING;
