-- At most one open change request per order, even when two people raise one at the same moment.
CREATE UNIQUE INDEX change_requests_one_open ON change_requests (order_id) WHERE state = 'open';

-- What each line was when the request was raised, so that the history reads "48 → 36".
ALTER TABLE change_request_lines ADD COLUMN old_quantity BIGINT;
ALTER TABLE change_request_lines ADD COLUMN old_unit_price_minor BIGINT;
ALTER TABLE change_request_lines ADD COLUMN old_delivery_on DATE;
