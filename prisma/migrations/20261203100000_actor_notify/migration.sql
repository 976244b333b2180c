-- Every instance keeps recently read actors (user, org and project memberships)
-- in memory. A change to any of them is announced after its commit on the
-- `pipelines_actor` channel with the user's id, so every instance forgets that
-- actor before it can be used again; a cascade (a project or an org deleted)
-- fires these triggers row by row as well.
CREATE OR REPLACE FUNCTION pipelines_actor_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- TG_ARGV[0] names the column holding the user's id.
  PERFORM pg_notify('pipelines_actor', to_jsonb(CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END) ->> TG_ARGV[0]);
  IF TG_OP = 'UPDATE' AND (to_jsonb(OLD) ->> TG_ARGV[0]) IS DISTINCT FROM (to_jsonb(NEW) ->> TG_ARGV[0]) THEN
    PERFORM pg_notify('pipelines_actor', to_jsonb(OLD) ->> TG_ARGV[0]);
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER actor_changed AFTER UPDATE OF email, name, "passwordHash" OR DELETE ON "User"
  FOR EACH ROW EXECUTE FUNCTION pipelines_actor_changed('id');
CREATE TRIGGER actor_changed AFTER INSERT OR UPDATE OR DELETE ON "OrgMember"
  FOR EACH ROW EXECUTE FUNCTION pipelines_actor_changed('userId');
CREATE TRIGGER actor_changed AFTER INSERT OR UPDATE OR DELETE ON "ProjectMember"
  FOR EACH ROW EXECUTE FUNCTION pipelines_actor_changed('userId');
