-- 涉密 entries are seen only by their department and the supervisors (domain::catalog::visible_to_all),
-- so listings need the flag as a column. Booleans are 0/1 integers on both backends.
ALTER TABLE resources ADD COLUMN classified INTEGER NOT NULL DEFAULT 0;
UPDATE resources SET classified = 1 WHERE spec LIKE '%"classified":true%';
