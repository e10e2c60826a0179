-- What staff call a department ("ED", "MICU", "OR"): technicians search by
-- it, so it is indexed with the department's name.
ALTER TABLE departments ADD COLUMN short_name TEXT;

DROP VIEW asset_search_text;

CREATE VIEW asset_search_text AS
SELECT a.seq AS seq,
       a.tag AS tag,
       coalesce(a.serial, '') AS serial,
       mf.name AS manufacturer,
       m.name AS model,
       dt.code || ' ' || dt.name AS device_type,
       d.name || coalesce(' ' || d.short_name, '') AS department,
       coalesce(b.name || ' ' || l.floor || ' ' || l.room, '') AS location
FROM assets a
JOIN models m ON m.id = a.model_id
JOIN manufacturers mf ON mf.id = m.manufacturer_id
JOIN device_types dt ON dt.id = m.device_type_id
JOIN departments d ON d.id = a.department_id
LEFT JOIN locations l ON l.id = a.location_id
LEFT JOIN buildings b ON b.id = l.building_id;

-- A new short name re-indexes the department's assets, like a rename.
DROP TRIGGER assets_fts_department_rename;

CREATE TRIGGER assets_fts_department_rename AFTER UPDATE OF name, short_name ON departments BEGIN
    DELETE FROM assets_fts WHERE rowid IN (SELECT seq FROM assets WHERE department_id = new.id);
    INSERT INTO assets_fts(rowid, tag, serial, manufacturer, model, device_type, department, location)
    SELECT s.seq, s.tag, s.serial, s.manufacturer, s.model, s.device_type, s.department, s.location
    FROM asset_search_text s JOIN assets a ON a.seq = s.seq WHERE a.department_id = new.id;
END;
