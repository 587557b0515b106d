-- What became of each order line after confirmation, for the order execution report. Shipping
-- and receiving (fulfilment) and invoicing and payment (finance) fill these as they are built;
-- until then they stay zero, which is the truth: nothing has been shipped or invoiced yet.
ALTER TABLE order_lines ADD COLUMN shipped_quantity BIGINT NOT NULL DEFAULT 0;
ALTER TABLE order_lines ADD COLUMN received_quantity BIGINT NOT NULL DEFAULT 0;
ALTER TABLE order_lines ADD COLUMN invoiced_quantity BIGINT NOT NULL DEFAULT 0;
ALTER TABLE order_lines ADD COLUMN invoiced_amount_minor BIGINT NOT NULL DEFAULT 0;
ALTER TABLE order_lines ADD COLUMN paid_amount_minor BIGINT NOT NULL DEFAULT 0;
