-- The raw baseline for vote ingestion: one single-row insert per transaction into a
-- table shaped like idea_votes (a two-column primary key), as pgbench runs it.
\set member random(1, 1000000000)
\set idea random(1, 100)
INSERT INTO bench_votes (idea_id, member_id, created_at) VALUES (:idea, :member, now()) ON CONFLICT DO NOTHING;
