-- Indexes for the analytics queries (crates/store/src/analytics.rs), which
-- sum one period of history per asset. Without them each query scanned a
-- whole history table (1M work orders, 1M labor rows): EXPLAIN QUERY PLAN
-- showed full scans, and the downtime query took seconds on the benchmark
-- hospital. Each is covering, so a period's rows are read from the index
-- alone.

-- Labor, parts and downtime by their own dates, as the facts count them.
CREATE INDEX labor_performed ON labor(performed_on, work_order_id, technician_id, minutes);
CREATE INDEX part_uses_recorded ON part_uses(recorded_at, work_order_id, quantity, unit_cost_cents);
-- By end first: a period's downtime is what ended after its start (or is
-- still open) and started before its end.
CREATE INDEX downtime_ended ON downtime(ended_at, started_at, work_order_id, partial_factor);

-- A record's work order to its asset and status without the table row.
CREATE INDEX work_orders_id_asset ON work_orders(id, asset_id, status);
-- Corrective work opened in a period, and each asset's previous corrective
-- visit (repeat repairs).
CREATE INDEX work_orders_kind_opened ON work_orders(kind, opened_at, asset_id, status, closure, completed_at, id);
CREATE INDEX work_orders_asset_kind ON work_orders(asset_id, kind, opened_at, status, completed_at);
-- PMs due in a period.
CREATE INDEX work_orders_pm_due ON work_orders(due_on, asset_id, status, completed_at, pm_plan_id, id)
    WHERE kind = 'pm';
