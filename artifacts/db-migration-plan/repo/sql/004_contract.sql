-- Step 4: contract. Removes what the old schema needed.
BEGIN;

ALTER TABLE line_items DROP COLUMN id_old;
ALTER TABLE line_items DROP COLUMN shipping_address;

COMMIT;
