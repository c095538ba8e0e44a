-- A published FlowVersion is what runs in flight execute (DESIGN.md invariant 4): the
-- database refuses to change its graph, whatever code path tries.
CREATE FUNCTION "flow_version_is_immutable"() RETURNS trigger AS $$
BEGIN
  IF NEW."graph" IS DISTINCT FROM OLD."graph" OR NEW."flowId" IS DISTINCT FROM OLD."flowId" OR NEW."number" IS DISTINCT FROM OLD."number" THEN
    RAISE EXCEPTION 'FlowVersion % is published and immutable: publish a new version instead', OLD."id";
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER "FlowVersion_immutable"
  BEFORE UPDATE ON "FlowVersion"
  FOR EACH ROW EXECUTE FUNCTION "flow_version_is_immutable"();
