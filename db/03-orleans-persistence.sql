-- 03-orleans-persistence.sql: grain state table, write routine and queries for
-- Microsoft.Orleans.Persistence.AdoNet 10.4.2 (invariant "Npgsql"). Requires PostgreSQL 15+
-- (UNIQUE ... NULLS NOT DISTINCT).
--
-- Idempotent: CREATE ... IF NOT EXISTS, CREATE OR REPLACE FUNCTION, and query rows upserted
-- by key, so applying this file again changes nothing. Plain SQL (no psql meta-commands).
--
-- The provider's contract (read from the 10.4.2 assembly):
--  * keys: WriteToStorageKey, ReadFromStorageKey, ClearStorageKey (required) and
--    DeleteStorageKey (required only with DeleteStateOnClear = true);
--  * parameters: @GrainIdHash, @GrainIdN0, @GrainIdN1, @GrainTypeHash, @GrainTypeString,
--    @GrainIdExtensionString (NULL for keys without extension), @ServiceId, and for
--    write/clear/delete @GrainStateVersion (the ETag; NULL = never stored) and for write
--    @PayloadBinary. 10.x sends no @PayloadJson / @PayloadXml: the serialized state is binary.
--  * read returns columns PayloadBinary and Version (zero or one row);
--  * write returns one column NewGrainStateVersion; clear and delete return the new version
--    in their first column. A returned version equal to the ETag, an empty result or NULL
--    means "someone else wrote first": the provider throws InconsistentStateException.
--
-- Change from Orleans' own script: its first write is `INSERT ... WHERE NOT EXISTS` with no
-- unique index, so two activations racing the first write of one grain can both insert and
-- both succeed. Here a unique index covers the whole storage key and the first write is
-- `INSERT ... ON CONFLICT DO NOTHING`: the loser inserts nothing, gets NULL back, and fails
-- with InconsistentStateException like any later stale write.

SET client_min_messages = warning;
DO $$ BEGIN PERFORM pg_advisory_xact_lock(hashtext('itempath-schema')); END $$;

CREATE TABLE IF NOT EXISTS OrleansStorage
(
    GrainIdHash integer NOT NULL,
    GrainIdN0 bigint NOT NULL,
    GrainIdN1 bigint NOT NULL,
    GrainTypeHash integer NOT NULL,
    GrainTypeString varchar(512) NOT NULL,
    GrainIdExtensionString varchar(512) NULL,
    ServiceId varchar(150) NOT NULL,
    PayloadBinary bytea NULL,
    ModifiedOn timestamptz NOT NULL DEFAULT now(),
    Version integer NULL
);

-- One row per grain state. The hashes lead, so this index also serves every lookup (Orleans'
-- non-unique (GrainIdHash, GrainTypeHash) index is not needed). NULLS NOT DISTINCT: a NULL
-- extension is one key value, so keys without extension are unique too.
CREATE UNIQUE INDEX IF NOT EXISTS UX_OrleansStorage_Key
    ON OrleansStorage (GrainIdHash, GrainTypeHash, GrainIdN0, GrainIdN1, GrainTypeString,
                       GrainIdExtensionString, ServiceId)
    NULLS NOT DISTINCT;

-- The silos' sweep of old authorization codes (RetentionSweeper) finds their rows here
-- without reading the whole table. Small: a code's row lives about an hour at most.
CREATE INDEX IF NOT EXISTS IX_OrleansStorage_Codes
    ON OrleansStorage (ServiceId, ModifiedOn) WHERE GrainTypeString = 'code';

-- Writes a grain state. With a version: updates the row only if it still has that version.
-- Without (first write): inserts, and does nothing if any row for the key already exists or
-- is being inserted concurrently (the unique index makes the racing insert wait and then
-- skip). Returns the new version, or the unchanged input (NULL on a lost first write).
CREATE OR REPLACE FUNCTION itempath_write_to_storage(
    _GrainIdHash integer,
    _GrainIdN0 bigint,
    _GrainIdN1 bigint,
    _GrainTypeHash integer,
    _GrainTypeString varchar,
    _GrainIdExtensionString varchar,
    _ServiceId varchar,
    _GrainStateVersion integer,
    _PayloadBinary bytea)
  RETURNS TABLE(NewGrainStateVersion integer) AS
$func$
DECLARE
    _NewVersion integer := _GrainStateVersion;
    _RowCount integer := 0;
BEGIN
    IF _GrainStateVersion IS NOT NULL THEN
        UPDATE OrleansStorage
        SET
            PayloadBinary = _PayloadBinary,
            ModifiedOn = now(),
            Version = Version + 1
        WHERE
            GrainIdHash = _GrainIdHash
            AND GrainTypeHash = _GrainTypeHash
            AND GrainIdN0 = _GrainIdN0
            AND GrainIdN1 = _GrainIdN1
            AND GrainTypeString = _GrainTypeString
            AND GrainIdExtensionString IS NOT DISTINCT FROM _GrainIdExtensionString
            AND ServiceId = _ServiceId
            AND Version = _GrainStateVersion;

        GET DIAGNOSTICS _RowCount = ROW_COUNT;
        IF _RowCount > 0 THEN
            _NewVersion := _GrainStateVersion + 1;
        END IF;
    ELSE
        INSERT INTO OrleansStorage
        (
            GrainIdHash, GrainIdN0, GrainIdN1, GrainTypeHash, GrainTypeString,
            GrainIdExtensionString, ServiceId, PayloadBinary, ModifiedOn, Version
        )
        VALUES
        (
            _GrainIdHash, _GrainIdN0, _GrainIdN1, _GrainTypeHash, _GrainTypeString,
            _GrainIdExtensionString, _ServiceId, _PayloadBinary, now(), 1
        )
        ON CONFLICT DO NOTHING;

        GET DIAGNOSTICS _RowCount = ROW_COUNT;
        IF _RowCount > 0 THEN
            _NewVersion := 1;
        END IF;
    END IF;

    RETURN QUERY SELECT _NewVersion;
END
$func$ LANGUAGE plpgsql;

INSERT INTO OrleansQuery (QueryKey, QueryText)
VALUES
(
    'WriteToStorageKey', $q$
    SELECT NewGrainStateVersion FROM itempath_write_to_storage(
        @GrainIdHash, @GrainIdN0, @GrainIdN1, @GrainTypeHash, @GrainTypeString,
        @GrainIdExtensionString, @ServiceId, @GrainStateVersion, @PayloadBinary);
$q$),
(
    'ReadFromStorageKey', $q$
    SELECT
        PayloadBinary,
        Version
    FROM
        OrleansStorage
    WHERE
        GrainIdHash = @GrainIdHash
        AND GrainTypeHash = @GrainTypeHash
        AND GrainIdN0 = @GrainIdN0
        AND GrainIdN1 = @GrainIdN1
        AND GrainTypeString = @GrainTypeString
        AND GrainIdExtensionString IS NOT DISTINCT FROM @GrainIdExtensionString
        AND ServiceId = @ServiceId;
$q$),
(
    -- Keeps the row (payload NULL) and bumps the version.
    'ClearStorageKey', $q$
    UPDATE OrleansStorage
    SET
        PayloadBinary = NULL,
        ModifiedOn = now(),
        Version = Version + 1
    WHERE
        GrainIdHash = @GrainIdHash
        AND GrainTypeHash = @GrainTypeHash
        AND GrainIdN0 = @GrainIdN0
        AND GrainIdN1 = @GrainIdN1
        AND GrainTypeString = @GrainTypeString
        AND GrainIdExtensionString IS NOT DISTINCT FROM @GrainIdExtensionString
        AND ServiceId = @ServiceId
        AND Version = @GrainStateVersion AND @GrainStateVersion IS NOT NULL
    RETURNING Version AS NewGrainStateVersion;
$q$),
(
    -- DeleteStateOnClear = true: removes the row; returns a version different from the ETag
    -- so the provider sees success (it then forgets the ETag; the next write inserts).
    'DeleteStorageKey', $q$
    DELETE FROM OrleansStorage
    WHERE
        GrainIdHash = @GrainIdHash
        AND GrainTypeHash = @GrainTypeHash
        AND GrainIdN0 = @GrainIdN0
        AND GrainIdN1 = @GrainIdN1
        AND GrainTypeString = @GrainTypeString
        AND GrainIdExtensionString IS NOT DISTINCT FROM @GrainIdExtensionString
        AND ServiceId = @ServiceId
        AND Version = @GrainStateVersion AND @GrainStateVersion IS NOT NULL
    RETURNING Version + 1 AS NewGrainStateVersion;
$q$)
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText
WHERE OrleansQuery.QueryText IS DISTINCT FROM EXCLUDED.QueryText;

INSERT INTO itempath_schema_migrations (version, name)
VALUES (3, '03-orleans-persistence')
ON CONFLICT (version) DO NOTHING;
