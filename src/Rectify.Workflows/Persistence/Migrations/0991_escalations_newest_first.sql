-- GET /api/escalations lists the newest first (issue 17): with 160,000 open escalations a page read all of them and sorted
-- them; in this index's order it reads the fifty it shows (open or not, every filter of the list is checked row by row).
create index escalations_newest_first on escalations(opened_at desc, id);
analyze escalations;
