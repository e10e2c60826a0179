-- Biomend local store, schema 1.
-- Ids are 16-byte UUIDv7 blobs. Dates are ISO-8601 text (YYYY-MM-DD),
-- instants are RFC 3339 UTC text, money is integer cents, enums are their
-- stable snake_case codes. Shipped migrations are never edited: a change is
-- a new file.

CREATE TABLE sites (
    id   BLOB PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL
) STRICT;

CREATE TABLE buildings (
    id      BLOB PRIMARY KEY,
    site_id BLOB NOT NULL REFERENCES sites(id),
    name    TEXT NOT NULL,
    UNIQUE (site_id, name)
) STRICT;

CREATE TABLE departments (
    id          BLOB PRIMARY KEY,
    site_id     BLOB NOT NULL REFERENCES sites(id),
    name        TEXT NOT NULL COLLATE NOCASE,
    cost_center TEXT,
    UNIQUE (site_id, name)
) STRICT;

CREATE TABLE locations (
    id            BLOB PRIMARY KEY,
    building_id   BLOB NOT NULL REFERENCES buildings(id),
    floor         TEXT NOT NULL,
    room          TEXT NOT NULL,
    department_id BLOB REFERENCES departments(id),
    UNIQUE (building_id, floor, room)
) STRICT;

CREATE TABLE users (
    id                BLOB PRIMARY KEY,
    username          TEXT NOT NULL UNIQUE COLLATE NOCASE,
    display_name      TEXT NOT NULL,
    role              TEXT NOT NULL,
    active            INTEGER NOT NULL DEFAULT 1,
    loaded_rate_cents INTEGER
) STRICT;

CREATE TABLE user_sites (
    user_id BLOB NOT NULL REFERENCES users(id),
    site_id BLOB NOT NULL REFERENCES sites(id),
    PRIMARY KEY (user_id, site_id)
) STRICT, WITHOUT ROWID;

-- The departments a technician covers ("my area"); none means every
-- department of the user's sites.
CREATE TABLE user_areas (
    user_id       BLOB NOT NULL REFERENCES users(id),
    department_id BLOB NOT NULL REFERENCES departments(id),
    PRIMARY KEY (user_id, department_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE manufacturers (
    id   BLOB PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE
) STRICT;

CREATE TABLE device_types (
    id                  BLOB PRIMARY KEY,
    system              TEXT NOT NULL,
    code                TEXT NOT NULL,
    name                TEXT NOT NULL,
    life_support        INTEGER NOT NULL,
    aem_exclusion       TEXT,
    risk_function       INTEGER NOT NULL,
    risk_physical       INTEGER NOT NULL,
    risk_maintenance    INTEGER NOT NULL,
    risk_incident       INTEGER NOT NULL,
    expected_life_years INTEGER NOT NULL,
    UNIQUE (system, code)
) STRICT;

CREATE TABLE models (
    id                     BLOB PRIMARY KEY,
    manufacturer_id        BLOB NOT NULL REFERENCES manufacturers(id),
    device_type_id         BLOB NOT NULL REFERENCES device_types(id),
    name                   TEXT NOT NULL COLLATE NOCASE,
    expected_life_years    INTEGER,
    end_of_support         TEXT,
    replacement_cost_cents INTEGER,
    mds2_json              TEXT,
    sbom_json              TEXT NOT NULL DEFAULT '[]',
    UNIQUE (manufacturer_id, name)
) STRICT;
CREATE INDEX models_device_type ON models(device_type_id);

CREATE TABLE safety_editions (
    id          BLOB PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    limits_json TEXT NOT NULL
) STRICT;

CREATE TABLE checklists (
    id         BLOB PRIMARY KEY,
    name       TEXT NOT NULL,
    items_json TEXT NOT NULL
) STRICT;

CREATE TABLE pm_plans (
    id                BLOB PRIMARY KEY,
    name              TEXT NOT NULL,
    model_id          BLOB REFERENCES models(id),
    device_type_id    BLOB REFERENCES device_types(id),
    interval_months   INTEGER NOT NULL CHECK (interval_months > 0),
    schedule          TEXT NOT NULL,
    strategy          TEXT NOT NULL,
    aem_evidence      TEXT,
    checklist_id      BLOB REFERENCES checklists(id),
    estimated_minutes INTEGER NOT NULL
) STRICT;
CREATE INDEX pm_plans_model ON pm_plans(model_id);

CREATE TABLE vendors (
    id      BLOB PRIMARY KEY,
    name    TEXT NOT NULL UNIQUE COLLATE NOCASE,
    phone   TEXT,
    email   TEXT,
    account TEXT
) STRICT;

CREATE TABLE service_contracts (
    id                   BLOB PRIMARY KEY,
    vendor_id            BLOB NOT NULL REFERENCES vendors(id),
    number               TEXT NOT NULL,
    coverage             TEXT NOT NULL,
    starts_on            TEXT NOT NULL,
    ends_on              TEXT NOT NULL,
    annual_cost_cents    INTEGER NOT NULL,
    hours_cap            INTEGER,
    cost_cap_cents       INTEGER,
    uptime_guarantee_pct REAL
) STRICT;

CREATE TABLE parts (
    id              BLOB PRIMARY KEY,
    part_number     TEXT NOT NULL UNIQUE,
    description     TEXT NOT NULL,
    manufacturer    TEXT,
    unit_cost_cents INTEGER NOT NULL
) STRICT;

CREATE TABLE part_stock (
    part_id       BLOB NOT NULL REFERENCES parts(id),
    site_id       BLOB NOT NULL REFERENCES sites(id),
    on_hand       INTEGER NOT NULL,
    reorder_point INTEGER NOT NULL,
    bin           TEXT NOT NULL,
    PRIMARY KEY (part_id, site_id)
) STRICT, WITHOUT ROWID;

-- `seq` is a stable integer key so the full-text index can point at rows
-- (an implicit rowid may change on VACUUM).
CREATE TABLE assets (
    seq                    INTEGER PRIMARY KEY,
    id                     BLOB NOT NULL UNIQUE,
    tag                    TEXT NOT NULL UNIQUE COLLATE NOCASE,
    serial                 TEXT,
    model_id               BLOB NOT NULL REFERENCES models(id),
    department_id          BLOB NOT NULL REFERENCES departments(id),
    location_id            BLOB REFERENCES locations(id),
    site_id                BLOB NOT NULL REFERENCES sites(id),
    ownership              TEXT NOT NULL,
    status                 TEXT NOT NULL,
    acquired_on            TEXT,
    acquisition_cost_cents INTEGER CHECK (acquisition_cost_cents IS NULL OR acquisition_cost_cents >= 0),
    warranty_end           TEXT,
    contract_id            BLOB REFERENCES service_contracts(id),
    expected_life_years    INTEGER,
    risk_function          INTEGER NOT NULL CHECK (risk_function BETWEEN 2 AND 10),
    risk_physical          INTEGER NOT NULL CHECK (risk_physical BETWEEN 1 AND 5),
    risk_maintenance       INTEGER NOT NULL CHECK (risk_maintenance BETWEEN 1 AND 5),
    risk_incident          INTEGER NOT NULL CHECK (risk_incident BETWEEN -2 AND 2),
    life_support_override  INTEGER NOT NULL DEFAULT 0,
    parent_id              BLOB REFERENCES assets(id),
    notes                  TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX assets_department ON assets(department_id);
CREATE INDEX assets_model ON assets(model_id);
CREATE INDEX assets_parent ON assets(parent_id) WHERE parent_id IS NOT NULL;

CREATE TABLE network_profiles (
    asset_id           BLOB PRIMARY KEY REFERENCES assets(id),
    hostname           TEXT,
    ip_address         TEXT,
    mac_address        TEXT,
    vlan               INTEGER,
    segment            TEXT,
    os_name            TEXT,
    os_version         TEXT,
    firmware_version   TEXT,
    patch_level        TEXT,
    last_patched_on    TEXT,
    remote_recoverable INTEGER NOT NULL,
    stores_phi         INTEGER NOT NULL,
    patch_validation   TEXT NOT NULL
) STRICT;

CREATE TABLE pm_schedules (
    asset_id  BLOB NOT NULL REFERENCES assets(id),
    plan_id   BLOB NOT NULL REFERENCES pm_plans(id),
    next_due  TEXT NOT NULL,
    last_done TEXT,
    PRIMARY KEY (asset_id, plan_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX pm_schedules_due ON pm_schedules(next_due);

CREATE TABLE recalls (
    id               BLOB PRIMARY KEY,
    source           TEXT NOT NULL,
    number           TEXT NOT NULL,
    title            TEXT NOT NULL,
    received_on      TEXT NOT NULL,
    manufacturer     TEXT,
    model            TEXT,
    device_type_code TEXT,
    product_code     TEXT,
    closed_on        TEXT
) STRICT;

CREATE TABLE work_orders (
    id            BLOB PRIMARY KEY,
    number        TEXT NOT NULL UNIQUE,
    asset_id      BLOB NOT NULL REFERENCES assets(id),
    site_id       BLOB NOT NULL REFERENCES sites(id),
    kind          TEXT NOT NULL,
    status        TEXT NOT NULL,
    priority      INTEGER NOT NULL CHECK (priority BETWEEN 1 AND 4),
    problem       TEXT NOT NULL,
    reported_by   TEXT NOT NULL,
    opened_at     TEXT NOT NULL,
    created_by    BLOB NOT NULL REFERENCES users(id),
    assigned_to   BLOB REFERENCES users(id),
    due_on        TEXT,
    pm_plan_id    BLOB REFERENCES pm_plans(id),
    recall_id     BLOB REFERENCES recalls(id),
    started_at    TEXT,
    findings      TEXT NOT NULL DEFAULT '',
    closure       TEXT,
    completed_at  TEXT,
    signed_off_by BLOB REFERENCES users(id),
    signed_off_at TEXT,
    -- A completed or signed-off work order has a closure code: the rule is
    -- enforced in code, and here too so no path can store one without.
    CHECK (status NOT IN ('completed', 'signed_off') OR closure IS NOT NULL)
) STRICT;
CREATE INDEX work_orders_asset ON work_orders(asset_id, opened_at);
-- Open work only: "my day" and backlog read these, history never does.
CREATE INDEX work_orders_open_assignee ON work_orders(assigned_to, priority, due_on)
    WHERE status IN ('open', 'in_progress', 'on_hold_parts', 'on_hold_vendor');
CREATE INDEX work_orders_open_asset ON work_orders(asset_id, kind)
    WHERE status IN ('open', 'in_progress', 'on_hold_parts', 'on_hold_vendor');
CREATE INDEX work_orders_completed ON work_orders(status, completed_at);

CREATE TABLE labor (
    id            BLOB PRIMARY KEY,
    work_order_id BLOB NOT NULL REFERENCES work_orders(id),
    technician_id BLOB NOT NULL REFERENCES users(id),
    minutes       INTEGER NOT NULL CHECK (minutes > 0),
    performed_on  TEXT NOT NULL,
    note          TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX labor_work_order ON labor(work_order_id);

CREATE TABLE part_uses (
    id              BLOB PRIMARY KEY,
    work_order_id   BLOB NOT NULL REFERENCES work_orders(id),
    part_id         BLOB REFERENCES parts(id),
    part_number     TEXT NOT NULL,
    description     TEXT NOT NULL,
    quantity        INTEGER NOT NULL CHECK (quantity > 0),
    unit_cost_cents INTEGER NOT NULL CHECK (unit_cost_cents >= 0),
    recorded_by     BLOB NOT NULL REFERENCES users(id),
    recorded_at     TEXT NOT NULL
) STRICT;
CREATE INDEX part_uses_work_order ON part_uses(work_order_id);

CREATE TABLE vendor_charges (
    id                BLOB PRIMARY KEY,
    work_order_id     BLOB NOT NULL REFERENCES work_orders(id),
    vendor_id         BLOB NOT NULL REFERENCES vendors(id),
    invoice_number    TEXT NOT NULL,
    labor_cost_cents  INTEGER NOT NULL,
    parts_cost_cents  INTEGER NOT NULL,
    travel_cost_cents INTEGER NOT NULL,
    invoiced_on       TEXT NOT NULL
) STRICT;
CREATE INDEX vendor_charges_work_order ON vendor_charges(work_order_id);

CREATE TABLE downtime (
    id             BLOB PRIMARY KEY,
    asset_id       BLOB NOT NULL REFERENCES assets(id),
    work_order_id  BLOB REFERENCES work_orders(id),
    started_at     TEXT NOT NULL,
    ended_at       TEXT,
    partial_factor REAL NOT NULL CHECK (partial_factor > 0 AND partial_factor <= 1)
) STRICT;
CREATE INDEX downtime_asset ON downtime(asset_id, started_at);
CREATE INDEX downtime_work_order ON downtime(work_order_id) WHERE work_order_id IS NOT NULL;

CREATE TABLE readings (
    id            BLOB PRIMARY KEY,
    work_order_id BLOB NOT NULL REFERENCES work_orders(id),
    item_key      TEXT NOT NULL,
    prompt        TEXT NOT NULL,
    value         REAL,
    unit          TEXT,
    limit_min     REAL,
    limit_max     REAL,
    has_limit     INTEGER NOT NULL,
    verdict       TEXT NOT NULL,
    taken_by      BLOB NOT NULL REFERENCES users(id),
    taken_at      TEXT NOT NULL
) STRICT;
CREATE INDEX readings_work_order ON readings(work_order_id);

CREATE TABLE pm_attempts (
    id            BLOB PRIMARY KEY,
    work_order_id BLOB NOT NULL REFERENCES work_orders(id),
    technician_id BLOB NOT NULL REFERENCES users(id),
    attempted_at  TEXT NOT NULL,
    outcome       TEXT NOT NULL,
    note          TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX pm_attempts_work_order ON pm_attempts(work_order_id);

CREATE TABLE work_notes (
    id            BLOB PRIMARY KEY,
    work_order_id BLOB NOT NULL REFERENCES work_orders(id),
    author_id     BLOB NOT NULL REFERENCES users(id),
    written_at    TEXT NOT NULL,
    text          TEXT NOT NULL
) STRICT;
CREATE INDEX work_notes_work_order ON work_notes(work_order_id);

CREATE TABLE signatures (
    id            BLOB PRIMARY KEY,
    work_order_id BLOB NOT NULL REFERENCES work_orders(id),
    signer_id     BLOB NOT NULL REFERENCES users(id),
    signer_name   TEXT NOT NULL,
    signed_at     TEXT NOT NULL,
    strokes       TEXT NOT NULL
) STRICT;
CREATE INDEX signatures_work_order ON signatures(work_order_id);

CREATE TABLE usage_windows (
    id             BLOB PRIMARY KEY,
    department_id  BLOB NOT NULL REFERENCES departments(id),
    device_type_id BLOB REFERENCES device_types(id),
    weekdays       INTEGER NOT NULL,
    starts         TEXT NOT NULL,
    ends           TEXT NOT NULL
) STRICT;

CREATE TABLE training_events (
    id             BLOB PRIMARY KEY,
    department_id  BLOB NOT NULL REFERENCES departments(id),
    device_type_id BLOB NOT NULL REFERENCES device_types(id),
    held_on        TEXT NOT NULL,
    topic          TEXT NOT NULL,
    trainer        TEXT NOT NULL,
    attendees      INTEGER NOT NULL
) STRICT;

CREATE TABLE recall_assets (
    recall_id     BLOB NOT NULL REFERENCES recalls(id),
    asset_id      BLOB NOT NULL REFERENCES assets(id),
    action        TEXT NOT NULL,
    work_order_id BLOB REFERENCES work_orders(id),
    acted_on      TEXT,
    PRIMARY KEY (recall_id, asset_id)
) STRICT, WITHOUT ROWID;

-- Named counters, e.g. the work-order number sequence per year.
CREATE TABLE counters (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- Policy settings as JSON values (risk thresholds, PM window, the NFPA 99
-- edition in force).
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT, WITHOUT ROWID;

-- Every change: who, when, what, before -> after (JSON of the record).
CREATE TABLE audit_log (
    seq         INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    actor_id    BLOB,
    actor_name  TEXT NOT NULL,
    action      TEXT NOT NULL,
    entity      TEXT NOT NULL,
    entity_id   BLOB,
    before_json TEXT,
    after_json  TEXT
) STRICT;
CREATE INDEX audit_entity ON audit_log(entity_id) WHERE entity_id IS NOT NULL;

-- Full-text search over what a technician types to find a device. The text
-- is denormalized from joins, so triggers keep it current.
CREATE VIRTUAL TABLE assets_fts USING fts5(
    tag, serial, manufacturer, model, device_type, department, location,
    content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '2 3'
);

CREATE VIEW asset_search_text AS
SELECT a.seq AS seq,
       a.tag AS tag,
       coalesce(a.serial, '') AS serial,
       mf.name AS manufacturer,
       m.name AS model,
       dt.code || ' ' || dt.name AS device_type,
       d.name AS department,
       coalesce(b.name || ' ' || l.floor || ' ' || l.room, '') AS location
FROM assets a
JOIN models m ON m.id = a.model_id
JOIN manufacturers mf ON mf.id = m.manufacturer_id
JOIN device_types dt ON dt.id = m.device_type_id
JOIN departments d ON d.id = a.department_id
LEFT JOIN locations l ON l.id = a.location_id
LEFT JOIN buildings b ON b.id = l.building_id;

CREATE TRIGGER assets_fts_insert AFTER INSERT ON assets BEGIN
    INSERT INTO assets_fts(rowid, tag, serial, manufacturer, model, device_type, department, location)
    SELECT seq, tag, serial, manufacturer, model, device_type, department, location
    FROM asset_search_text WHERE seq = new.seq;
END;

CREATE TRIGGER assets_fts_update AFTER UPDATE OF tag, serial, model_id, department_id, location_id ON assets BEGIN
    DELETE FROM assets_fts WHERE rowid = old.seq;
    INSERT INTO assets_fts(rowid, tag, serial, manufacturer, model, device_type, department, location)
    SELECT seq, tag, serial, manufacturer, model, device_type, department, location
    FROM asset_search_text WHERE seq = new.seq;
END;

CREATE TRIGGER assets_fts_delete AFTER DELETE ON assets BEGIN
    DELETE FROM assets_fts WHERE rowid = old.seq;
END;

-- Renaming reference data re-indexes the assets that show the name.
CREATE TRIGGER assets_fts_department_rename AFTER UPDATE OF name ON departments BEGIN
    DELETE FROM assets_fts WHERE rowid IN (SELECT seq FROM assets WHERE department_id = new.id);
    INSERT INTO assets_fts(rowid, tag, serial, manufacturer, model, device_type, department, location)
    SELECT s.seq, s.tag, s.serial, s.manufacturer, s.model, s.device_type, s.department, s.location
    FROM asset_search_text s JOIN assets a ON a.seq = s.seq WHERE a.department_id = new.id;
END;

CREATE TRIGGER assets_fts_model_rename AFTER UPDATE OF name, manufacturer_id, device_type_id ON models BEGIN
    DELETE FROM assets_fts WHERE rowid IN (SELECT seq FROM assets WHERE model_id = new.id);
    INSERT INTO assets_fts(rowid, tag, serial, manufacturer, model, device_type, department, location)
    SELECT s.seq, s.tag, s.serial, s.manufacturer, s.model, s.device_type, s.department, s.location
    FROM asset_search_text s JOIN assets a ON a.seq = s.seq WHERE a.model_id = new.id;
END;

CREATE TRIGGER assets_fts_manufacturer_rename AFTER UPDATE OF name ON manufacturers BEGIN
    DELETE FROM assets_fts WHERE rowid IN (
        SELECT a.seq FROM assets a JOIN models m ON m.id = a.model_id WHERE m.manufacturer_id = new.id);
    INSERT INTO assets_fts(rowid, tag, serial, manufacturer, model, device_type, department, location)
    SELECT s.seq, s.tag, s.serial, s.manufacturer, s.model, s.device_type, s.department, s.location
    FROM asset_search_text s JOIN assets a ON a.seq = s.seq JOIN models m ON m.id = a.model_id
    WHERE m.manufacturer_id = new.id;
END;

CREATE TRIGGER assets_fts_device_type_rename AFTER UPDATE OF code, name ON device_types BEGIN
    DELETE FROM assets_fts WHERE rowid IN (
        SELECT a.seq FROM assets a JOIN models m ON m.id = a.model_id WHERE m.device_type_id = new.id);
    INSERT INTO assets_fts(rowid, tag, serial, manufacturer, model, device_type, department, location)
    SELECT s.seq, s.tag, s.serial, s.manufacturer, s.model, s.device_type, s.department, s.location
    FROM asset_search_text s JOIN assets a ON a.seq = s.seq JOIN models m ON m.id = a.model_id
    WHERE m.device_type_id = new.id;
END;
