-- Step 3: cutover. One transaction; catalog changes only.
BEGIN;

LOCK TABLE line_items IN ACCESS EXCLUSIVE MODE;

ALTER TABLE line_items DROP CONSTRAINT line_items_pkey CASCADE;
ALTER TABLE line_items RENAME COLUMN id TO id_old;
ALTER TABLE line_items RENAME COLUMN id_new TO id;
ALTER TABLE line_items ALTER COLUMN id SET NOT NULL;
ALTER TABLE line_items ADD CONSTRAINT line_items_pkey PRIMARY KEY USING INDEX line_items_id_new_key;
ALTER TABLE line_items ALTER COLUMN id_old DROP DEFAULT;
ALTER TABLE line_items ALTER COLUMN id SET DEFAULT nextval('line_items_id_seq');
ALTER SEQUENCE line_items_id_seq OWNED BY line_items.id;

DROP TRIGGER line_items_dual_write ON line_items;
DROP FUNCTION line_items_dual_write();

COMMIT;
