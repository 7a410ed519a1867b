-- Core tables shared by every API.

-- Which demo data sets have been loaded (each API seeds itself once).
CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
