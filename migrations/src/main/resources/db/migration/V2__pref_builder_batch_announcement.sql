-- pref-builder, version 2: training batches are announced on speech.training-batches.v1 AFTER the
-- transaction that creates them commits; a row here records that the announcement was published, so
-- a batch whose announcement was interrupted (crash between commit and publish) is published by the
-- recovery pass of any pref-builder instance. A new table rather than a column on training_batches:
-- purely additive, it takes no lock on any V1 table.
CREATE TABLE training_batch_announcements (
    batch_id     text        PRIMARY KEY,
    announced_at timestamptz NOT NULL DEFAULT now(),
    announced_by text        NOT NULL
);
COMMENT ON TABLE training_batch_announcements IS 'Which training batches pref-builder has published on speech.training-batches.v1. A training_batches row without a row here is still to be announced (the recovery pass publishes it). Consumers treat the event as idempotent on batch_id, so a rare second publication after a crash is harmless.';
COMMENT ON COLUMN training_batch_announcements.batch_id IS 'The batch announced (training_batches.batch_id; not a foreign key, so this migration locks no V1 table).';
COMMENT ON COLUMN training_batch_announcements.announced_at IS 'When the event was acknowledged by Kafka and recorded.';
COMMENT ON COLUMN training_batch_announcements.announced_by IS 'Instance id of the pref-builder that published it.';
