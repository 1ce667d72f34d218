-- The model loop (synth-service, trainer-worker): which version each model line serves, an outbox
-- for speech.model-versions.v1, and artifact retention. Named V3 so it never clashes with
-- pref-builder's V2; every object carries a COMMENT.

CREATE TABLE model_serving (
    model_line text        PRIMARY KEY,
    version    text        NOT NULL REFERENCES model_versions (version),
    since      timestamptz NOT NULL DEFAULT now(),
    actor      text        NOT NULL
);
COMMENT ON TABLE model_serving IS 'The version each model line serves: one row per line, changed only by promotion or rollback, in the same transaction as the model_events row that audits the change (promotion and rollback lock this row).';
COMMENT ON COLUMN model_serving.model_line IS 'Line of models (model_versions.model_line; record key of speech.model-versions.v1).';
COMMENT ON COLUMN model_serving.version IS 'Version the line serves (model_versions.version).';
COMMENT ON COLUMN model_serving.since IS 'When this version started serving.';
COMMENT ON COLUMN model_serving.actor IS 'Who made it serve: an API key name, trainer-worker (gate) or bootstrap.';

ALTER TABLE model_versions ADD COLUMN artifact_deleted_at timestamptz;
COMMENT ON COLUMN model_versions.artifact_deleted_at IS 'When the retention rule deleted the artifact file (null while it is kept). A version without artifact can neither serve nor be a rollback target.';

ALTER TABLE model_events ADD COLUMN published_at timestamptz;
CREATE INDEX model_events_unpublished ON model_events (event_id) WHERE published_at IS NULL;
COMMENT ON COLUMN model_events.published_at IS 'When the event was published on speech.model-versions.v1 (outbox); null while pending. Registered, promoted, rejected and rolled_back events are published (as candidate, promoted, rejected, rolled_back); deleted events are marked published without being sent.';

CREATE VIEW model_serving_history AS
SELECT e.event_id, v.model_line, e.version, e.action, e.from_version, e.actor, e.reason, e.at,
       v.artifact_sha256, v.artifact_deleted_at
FROM model_events e
JOIN model_versions v ON v.version = e.version
WHERE e.action IN ('promoted', 'rolled_back');
COMMENT ON VIEW model_serving_history IS 'Every promotion and rollback of every line, newest last: the versions a line served and when (rollback targets are the earlier promoted versions).';
COMMENT ON COLUMN model_serving_history.event_id IS 'Sequence number of the audit event.';
COMMENT ON COLUMN model_serving_history.model_line IS 'Line of models.';
COMMENT ON COLUMN model_serving_history.version IS 'Version promoted or rolled back.';
COMMENT ON COLUMN model_serving_history.action IS 'promoted (started serving) or rolled_back (stopped serving by an operator''s rollback).';
COMMENT ON COLUMN model_serving_history.from_version IS 'Version serving before the action.';
COMMENT ON COLUMN model_serving_history.actor IS 'Who acted.';
COMMENT ON COLUMN model_serving_history.reason IS 'Why (gate verdict, operator note).';
COMMENT ON COLUMN model_serving_history.at IS 'When.';
COMMENT ON COLUMN model_serving_history.artifact_sha256 IS 'sha-256 of the version''s artifact.';
COMMENT ON COLUMN model_serving_history.artifact_deleted_at IS 'When the artifact was deleted by retention, if it was.';
