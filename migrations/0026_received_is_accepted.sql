-- An order line's received quantity is what the dealer accepted of it; rejected units are not
-- received. Receipts recorded before counted the rejected units too: count them again from the
-- receipts' accepted quantities.
UPDATE order_lines
SET received_quantity = COALESCE(
    (SELECT SUM(rl.accepted_quantity)
     FROM receipt_lines rl JOIN receipts r ON r.id = rl.receipt_id
     WHERE r.order_id = order_lines.order_id AND rl.order_line_number = order_lines.line_number),
    0)
WHERE EXISTS (SELECT 1 FROM receipts r WHERE r.order_id = order_lines.order_id);
