-- Step 1: expand. Adds the new columns and keeps them filled for every write from now on.
BEGIN;

ALTER TABLE line_items ADD COLUMN id_new bigint;
ALTER TABLE line_items ADD COLUMN shipping_address_json jsonb;

CREATE OR REPLACE FUNCTION line_items_dual_write() RETURNS trigger AS $$
BEGIN
  NEW.id_new := NEW.id;
  NEW.shipping_address_json := parse_address(NEW.shipping_address);
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER line_items_dual_write
  BEFORE INSERT OR UPDATE ON line_items
  FOR EACH ROW EXECUTE FUNCTION line_items_dual_write();

COMMIT;

-- Reverse (before cutover only):
-- DROP TRIGGER line_items_dual_write ON line_items;
-- DROP FUNCTION line_items_dual_write();
-- ALTER TABLE line_items DROP COLUMN shipping_address_json;
-- ALTER TABLE line_items DROP COLUMN id_new;
