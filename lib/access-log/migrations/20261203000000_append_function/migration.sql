-- One statement per append (group), so an append is one round trip and one commit: the function takes
-- the advisory lock, reads the chain's head and inserts each entry as the next link. The gateway sends
-- each entry's hashed text around its seq ("head" + seq + "tail", lib/access-log.ts), so that
-- hash = sha256(prev_hash || head || seq || tail) is exactly what verify() recomputes.
CREATE FUNCTION "access_log_append"("entries" JSONB)
RETURNS TABLE ("appended_seq" BIGINT, "appended_prev_hash" TEXT, "appended_hash" TEXT)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  "e" JSONB;
  "next_seq" BIGINT;
  "head_hash" TEXT;
  "entry_hash" TEXT;
BEGIN
  PERFORM pg_advisory_xact_lock(7017280452229835623);
  -- A statement of its own, after the lock: its snapshot sees the previous holder's commit.
  SELECT l."seq", l."hash" INTO "next_seq", "head_hash" FROM "access_log" l ORDER BY l."seq" DESC LIMIT 1;
  "next_seq" := coalesce("next_seq", 0);
  "head_hash" := coalesce("head_hash", repeat('0', 64));
  FOR "e" IN SELECT value FROM jsonb_array_elements("entries") LOOP
    "next_seq" := "next_seq" + 1;
    "entry_hash" := encode(sha256(convert_to("head_hash" || ("e"->>'head') || "next_seq"::text || ("e"->>'tail'), 'UTF8')), 'hex');
    INSERT INTO "access_log" ("seq", "at", "subject", "role", "town", "operation_name", "operation_hash", "variables",
      "decision", "rule", "subgraphs", "unmasked_id_numbers", "prev_hash", "hash")
    VALUES ("next_seq", ("e"->>'at')::timestamptz, "e"->>'subject', "e"->>'role', "e"->>'town', "e"->>'operationName',
      "e"->>'operationHash', CASE WHEN jsonb_typeof("e"->'variables') = 'null' THEN NULL ELSE "e"->'variables' END,
      "e"->>'decision', "e"->>'rule', ARRAY(SELECT jsonb_array_elements_text("e"->'subgraphs')),
      ARRAY(SELECT jsonb_array_elements_text("e"->'unmaskedIdNumbers')), "head_hash", "entry_hash");
    "appended_seq" := "next_seq";
    "appended_prev_hash" := "head_hash";
    "appended_hash" := "entry_hash";
    RETURN NEXT;
    "head_hash" := "entry_hash";
  END LOOP;
END;
$$;
