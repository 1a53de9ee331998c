-- SQLite's migration 014 keeps participants in the order of their id. A PostgreSQL table
-- is a heap read through its primary key's index either way: nothing to change.
SELECT 1
