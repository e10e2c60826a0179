-- Bulk inserts (an inventory import, a bulk load) index their assets for
-- search in one statement at the end of their own transaction instead of
-- row by row: FTS5 flushes its pending data at every statement, so
-- row-by-row indexing of 100k assets wrote 100k tiny segments and spent
-- most of an import merging them. A row in this table, present only inside
-- such a transaction, tells the insert trigger to stand aside.
CREATE TABLE fts_deferred (
    one INTEGER PRIMARY KEY CHECK (one = 1)
) STRICT;

DROP TRIGGER assets_fts_insert;

CREATE TRIGGER assets_fts_insert AFTER INSERT ON assets
WHEN NOT EXISTS (SELECT 1 FROM fts_deferred)
BEGIN
    INSERT INTO assets_fts(rowid, tag, serial, manufacturer, model, device_type, department, location)
    SELECT seq, tag, serial, manufacturer, model, device_type, department, location
    FROM asset_search_text WHERE seq = new.seq;
END;
