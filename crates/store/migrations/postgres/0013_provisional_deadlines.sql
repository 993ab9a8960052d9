-- Deadlines counted past the calendar's known years (a change of duties recorded, or an
-- application received, in December before next year's 放假安排 is loaded) are counted Monday to
-- Friday and marked provisional; service::deadlines recomputes them once the calendar covers
-- them. Applications have had due_provisional since 0003; catalogue-currency windows (第八条) and
-- applications for conditionally open data get the same flag. The partial indexes keep the
-- recomputation's scan to the provisional rows. Identical in ../sqlite/0013_provisional_deadlines.sql.

ALTER TABLE duty_changes ADD COLUMN deadline_provisional BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE open_requests ADD COLUMN deadline_provisional BOOLEAN NOT NULL DEFAULT FALSE;

CREATE INDEX applications_due_provisional ON applications (id) WHERE due_provisional;
CREATE INDEX duty_changes_deadline_provisional ON duty_changes (id) WHERE deadline_provisional;
CREATE INDEX open_requests_deadline_provisional ON open_requests (id) WHERE deadline_provisional;
