-- pref-builder, version 2: training batches are announced on speech.training-batches.v1 AFTER the
-- transaction that creates them commits; announced_at records that the event was published, so a
-- batch whose announcement was interrupted (crash between commit and publish) is published by the
-- recovery path of any pref-builder instance. Additive only: V1 is unchanged.
ALTER TABLE training_batches ADD COLUMN announced_at timestamptz;
ALTER TABLE training_batches ADD COLUMN created_by text;
CREATE INDEX training_batches_unannounced ON training_batches (created_at) WHERE announced_at IS NULL;
COMMENT ON COLUMN training_batches.announced_at IS 'When pref-builder published the batch on speech.training-batches.v1; null while not yet announced (a recovery pass publishes it; consumers treat the event as idempotent on batch_id, so a rare second publication after a crash is harmless).';
COMMENT ON COLUMN training_batches.created_by IS 'Instance id of the pref-builder that closed the batch.';
COMMENT ON INDEX training_batches_unannounced IS 'Finds batches whose announcement is still due (pref-builder recovery pass).';
