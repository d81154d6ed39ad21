-- Data version: a counter of committed writes, which the subgraph's caches are keyed by
-- (lib/versioned-cache.ts). A deferred trigger on every table bumps it once per writing transaction,
-- at commit, so the new version becomes visible together with the data and the lock is held only then.
-- `instance` tells this database from any other that happens to be at the same count.
CREATE TABLE "data_version" (
    "id" BOOLEAN NOT NULL DEFAULT true,
    "instance" TEXT NOT NULL DEFAULT gen_random_uuid()::text,
    "version" BIGINT NOT NULL,

    CONSTRAINT "data_version_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "data_version_one_row" CHECK ("id")
);
INSERT INTO "data_version" ("id", "version") VALUES (true, 1);

CREATE FUNCTION data_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- Once per transaction: set_config(..., true) lasts until the transaction ends.
  IF current_setting('bianwai.data_version_bumped', true) IS DISTINCT FROM 'on' THEN
    UPDATE "data_version" SET "version" = "version" + 1;
    PERFORM set_config('bianwai.data_version_bumped', 'on', true);
  END IF;
  RETURN NULL;
END $$;

CREATE FUNCTION data_version_bump_now() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "data_version" SET "version" = "version" + 1;
  RETURN NULL;
END $$;

-- Adds the triggers to every table that lacks them: later migrations that create tables call it too.
CREATE FUNCTION ensure_data_version_triggers() RETURNS void LANGUAGE plpgsql AS $$
DECLARE t text;
BEGIN
  FOR t IN
    SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = current_schema() AND c.relkind = 'r' AND c.relname NOT IN ('data_version', '_prisma_migrations')
       AND NOT EXISTS (SELECT 1 FROM pg_trigger g WHERE g.tgrelid = c.oid AND g.tgname = 'data_version_bump')
  LOOP
    EXECUTE format('CREATE CONSTRAINT TRIGGER data_version_bump AFTER INSERT OR UPDATE OR DELETE ON %I
                    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION data_version_bump()', t);
    EXECUTE format('CREATE TRIGGER data_version_bump_truncate AFTER TRUNCATE ON %I
                    FOR EACH STATEMENT EXECUTE FUNCTION data_version_bump_now()', t);
  END LOOP;
END $$;

SELECT ensure_data_version_triggers();
