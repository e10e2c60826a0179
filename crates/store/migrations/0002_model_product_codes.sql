-- FDA product codes per model (e.g. FRN for infusion pumps), so recalls
-- that name a product code match the right assets. A model may carry
-- several codes, hence a table rather than a column.
CREATE TABLE model_product_codes (
    model_id     BLOB NOT NULL REFERENCES models(id),
    product_code TEXT NOT NULL COLLATE NOCASE,
    PRIMARY KEY (model_id, product_code)
) STRICT, WITHOUT ROWID;
CREATE INDEX model_product_codes_code ON model_product_codes(product_code);

CREATE INDEX recalls_open ON recalls(received_on) WHERE closed_on IS NULL;
