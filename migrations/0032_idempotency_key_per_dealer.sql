-- An idempotency key was unique per tenant, so a dealer that sent a key another dealer of the
-- tenant had used was answered with that dealer's order (its id and state), and its own order was
-- not placed. A key is the dealer's own, as its order numbers are.
DROP INDEX orders_idempotency_key;
CREATE UNIQUE INDEX orders_idempotency_key ON orders (dealer_id, idempotency_key);
