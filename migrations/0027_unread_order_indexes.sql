-- No statement reads order lines by product, nor stock movements by warehouse and product: lines
-- are read through their order, movements are the ledger behind the stock levels. Yet every line
-- and every reservation wrote a page of each index at a random place: on SQLite, where one
-- writer records the orders, placing them was a fifth slower for it. A stock card or a product's
-- order history would add an index with the columns it sorts by.
DROP INDEX IF EXISTS order_lines_product;
DROP INDEX IF EXISTS stock_movements_stock;
