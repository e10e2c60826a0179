-- The extra CA certificate (a PEM file's path) this device trusts for its
-- server, for hospitals whose server certificate comes from an internal
-- CA. It belongs to the sign-in: a new sign-in replaces it, and NULL means
-- the platform's trusted roots alone.
ALTER TABLE device_login ADD COLUMN ca_cert_path TEXT;
