-- The managers' reports summed the whole period's history on every call
-- (1.2-2.6 s for a year on the 100k-asset / 1M-work-order hospital). These
-- tables hold that history pre-summed per asset, kept current by every
-- write in the transaction of the change (crates/store/src/rollup.rs), so
-- a report reads one row per asset and month instead of every record.
--
-- Rows are keyed by asset id, not the local assets.seq, so two devices
-- holding the same records hold the same rollup. Days are days from the
-- common era (chrono's num_days_from_ce), months are year * 12 + month - 1.

-- The additive fields per asset and day: labor by the day performed (the
-- minutes, those by technicians without a loaded rate, and minutes x
-- cents/hour of the rest), parts by the day recorded, invoices by their
-- date, closed downtime clipped to the day (and to the asset's
-- acquisition) in milliseconds and weighted by its partial factor, and
-- closed corrective work by the day it was opened. Only non-cancelled
-- work counts. A period's whole months come from analytics_months; the
-- days of a month it covers only in part come from here.
--
-- `sums` packs the fields (rollup::Sums, in its order) as zigzag LEB128
-- varints: labor_minutes, unrated_minutes, rated_cents_min, parts_cents,
-- vendor_cents, down_ms, closed, failures, cnd, use_error, abuse, repairs,
-- repair_secs, repair_minutes; then, when there was downtime, the weighted
-- milliseconds as an 8-byte little-endian float. A year's report reads
-- ~200k of these rows, and one column instead of fifteen halves the time.
CREATE TABLE analytics_days (
    day      INTEGER NOT NULL,
    asset_id BLOB NOT NULL,
    sums     BLOB NOT NULL,
    PRIMARY KEY (day, asset_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX analytics_days_asset ON analytics_days(asset_id);

-- The same sums per asset and calendar month.
CREATE TABLE analytics_months (
    month    INTEGER NOT NULL,
    asset_id BLOB NOT NULL,
    sums     BLOB NOT NULL,
    PRIMARY KEY (month, asset_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX analytics_months_asset ON analytics_months(asset_id);

-- Each closed corrective work order that follows an earlier one on its
-- asset, by the day it opened, with the time from the earlier one's
-- completion (NULL: it was still open). A report counts the repeats
-- within its own number of days.
CREATE TABLE analytics_repeats (
    day       INTEGER NOT NULL,
    asset_id BLOB NOT NULL,
    gap_ms    INTEGER,
    id        BLOB NOT NULL,
    PRIMARY KEY (day, asset_id, id)
) STRICT, WITHOUT ROWID;
CREATE INDEX analytics_repeats_asset ON analytics_repeats(asset_id);

-- Each non-cancelled PM with a due date, by that date: its plan, the day
-- it was done (if it was) and its attempts ('YYYY-MM-DD outcome', comma
-- separated). Outcomes depend on the period's end, so a report judges
-- them (the window rule, measures::classify_pm).
CREATE TABLE analytics_pms (
    due       INTEGER NOT NULL,
    asset_id BLOB NOT NULL,
    id        BLOB NOT NULL,
    plan_id   BLOB,
    done      INTEGER,
    attempts  TEXT,
    PRIMARY KEY (due, asset_id, id)
) STRICT, WITHOUT ROWID;
CREATE INDEX analytics_pms_asset ON analytics_pms(asset_id);

-- The loaded rate each technician's labor was summed with: a changed rate
-- re-sums that technician's assets.
CREATE TABLE analytics_rates (
    user_id BLOB PRIMARY KEY,
    rate    INTEGER
) STRICT, WITHOUT ROWID;

-- built = 0 until the tables hold the history: an upgraded database fills
-- them on its first open after this migration (Store::open), in one
-- transaction.
CREATE TABLE analytics_rollup_state (
    one   INTEGER PRIMARY KEY CHECK (one = 1),
    built INTEGER NOT NULL
) STRICT;
INSERT INTO analytics_rollup_state (one, built) VALUES (1, 0);
