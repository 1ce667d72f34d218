-- Views the dashboard (trainer-worker /dashboard) reads; the same queries work in Grafana,
-- Metabase or psql (README: Tables and views). Named V4 so it clashes with neither
-- pref-builder's V2 nor the loop's V3; every object carries a COMMENT.

CREATE VIEW ratings_by_model_version_over_time AS
SELECT s.model_version,
       date_trunc('minute', r.created_at)  AS minute,
       count(*)                            AS ratings,
       round(avg(r.score)::numeric, 3)     AS mean_score
FROM ratings r
JOIN syntheses s ON s.synthesis_id = r.synthesis_id
GROUP BY s.model_version, date_trunc('minute', r.created_at);
COMMENT ON VIEW ratings_by_model_version_over_time IS 'Ratings per model version per minute of rating time (created_at): count and mean score. Group further (hour, day) in the dashboard tool.';
COMMENT ON COLUMN ratings_by_model_version_over_time.model_version IS 'Model version that produced the rated syntheses.';
COMMENT ON COLUMN ratings_by_model_version_over_time.minute IS 'Start of the minute the ratings were given in (ratings.created_at truncated).';
COMMENT ON COLUMN ratings_by_model_version_over_time.ratings IS 'Number of ratings in that minute.';
COMMENT ON COLUMN ratings_by_model_version_over_time.mean_score IS 'Mean score (1-5) of those ratings.';

CREATE VIEW model_registry AS
SELECT v.version, v.model_line, v.parent_version, v.status, v.batch_id,
       (ms.version IS NOT NULL)           AS serving,
       v.metrics, v.artifact_sha256, v.artifact_deleted_at, v.created_at, v.updated_at
FROM model_versions v
LEFT JOIN model_serving ms ON ms.model_line = v.model_line AND ms.version = v.version;
COMMENT ON VIEW model_registry IS 'Every model version with whether it serves its line now and its metrics (gate result: gate_delta_mean, gate_delta_ci_low/high, gate_margin, ...).';
COMMENT ON COLUMN model_registry.version IS 'Model version id.';
COMMENT ON COLUMN model_registry.model_line IS 'Model line the version belongs to.';
COMMENT ON COLUMN model_registry.parent_version IS 'Version it was trained from (the DPO reference), null for a base model.';
COMMENT ON COLUMN model_registry.status IS 'candidate | promoted | rejected | rolled_back.';
COMMENT ON COLUMN model_registry.batch_id IS 'Training batch it was trained on, null for a base model.';
COMMENT ON COLUMN model_registry.serving IS 'True when model_serving points at this version for its line.';
COMMENT ON COLUMN model_registry.metrics IS 'Evaluation and gate metrics (JSON object of numbers).';
COMMENT ON COLUMN model_registry.artifact_sha256 IS 'sha256 of the artifact file (its content address).';
COMMENT ON COLUMN model_registry.artifact_deleted_at IS 'When retention deleted the artifact, null while it is kept.';
COMMENT ON COLUMN model_registry.created_at IS 'When the version was registered.';
COMMENT ON COLUMN model_registry.updated_at IS 'Last status change.';
