-- SpeechAlign platform schema, version 1. The one place the PostgreSQL schema is defined.
-- Tables and views are a public interface for dashboards (Grafana, Metabase, psql): every
-- table, view and column carries a COMMENT. Change it only by adding V2__…, never by editing V1.

-- ---------------------------------------------------------------- golden speech and syntheses
CREATE TABLE golden_utterances (
    utterance_id   text        PRIMARY KEY,
    text           text        NOT NULL,
    speaker        text        NOT NULL,
    phones         jsonb       NOT NULL,
    tokens         integer[][] NOT NULL,
    codec_name     text        NOT NULL,
    codec_mode     text        NOT NULL,
    split          text        NOT NULL CHECK (split IN ('train', 'dev', 'test')),
    corpus_version text        NOT NULL,
    ingested_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX golden_utterances_text_speaker ON golden_utterances (text, speaker);
COMMENT ON TABLE golden_utterances IS 'Golden (real-speech) utterances from speech.golden.v1: the chosen side of the preference codec dataset. Upserted on utterance_id.';
COMMENT ON COLUMN golden_utterances.utterance_id IS 'Stable id of the utterance (record key of speech.golden.v1).';
COMMENT ON COLUMN golden_utterances.text IS 'What is said.';
COMMENT ON COLUMN golden_utterances.speaker IS 'Speaker (voice) name.';
COMMENT ON COLUMN golden_utterances.phones IS 'Phones with durations in codec frames: JSON array of {symbol, frames}.';
COMMENT ON COLUMN golden_utterances.tokens IS 'Golden codec tokens, tokens[codebook][frame] (PostgreSQL arrays are 1-based).';
COMMENT ON COLUMN golden_utterances.codec_name IS 'Codec that produced the tokens, e.g. codec2.';
COMMENT ON COLUMN golden_utterances.codec_mode IS 'Codec mode, e.g. 3200.';
COMMENT ON COLUMN golden_utterances.split IS 'train, dev or test. Test utterances never become training pairs and are never self-played for training.';
COMMENT ON COLUMN golden_utterances.corpus_version IS 'Version of the corpus the utterance belongs to.';
COMMENT ON COLUMN golden_utterances.ingested_at IS 'When this row was first written.';

CREATE TABLE syntheses (
    synthesis_id  text             PRIMARY KEY,
    origin        text             NOT NULL CHECK (origin IN ('self_play', 'product')),
    utterance_id  text,
    text          text             NOT NULL,
    speaker       text             NOT NULL,
    phones        jsonb            NOT NULL,
    tokens        integer[][]      NOT NULL,
    model_version text             NOT NULL,
    temperature   double precision,
    top_k         integer,
    top_p         double precision,
    seed          bigint,
    created_at    timestamptz      NOT NULL,
    ingested_at   timestamptz      NOT NULL DEFAULT now()
);
CREATE INDEX syntheses_model_version ON syntheses (model_version);
CREATE INDEX syntheses_text_speaker ON syntheses (text, speaker);
CREATE INDEX syntheses_utterance ON syntheses (utterance_id);
COMMENT ON TABLE syntheses IS 'Model outputs from speech.synthesis.v1 (self-play and product requests). Upserted on synthesis_id.';
COMMENT ON COLUMN syntheses.synthesis_id IS 'Id of the synthesis (record key of speech.synthesis.v1).';
COMMENT ON COLUMN syntheses.origin IS 'self_play (generated for a golden utterance) or product (a user request).';
COMMENT ON COLUMN syntheses.utterance_id IS 'Golden utterance id for self-play, and for product text matching a golden utterance; else null. Not a foreign key: events may arrive in any order.';
COMMENT ON COLUMN syntheses.text IS 'Text spoken.';
COMMENT ON COLUMN syntheses.speaker IS 'Voice.';
COMMENT ON COLUMN syntheses.phones IS 'Phones with the durations the model chose: JSON array of {symbol, frames}.';
COMMENT ON COLUMN syntheses.tokens IS 'Synthesised codec tokens, tokens[codebook][frame].';
COMMENT ON COLUMN syntheses.model_version IS 'Model version that produced the synthesis (model_versions.version).';
COMMENT ON COLUMN syntheses.temperature IS 'Sampling temperature.';
COMMENT ON COLUMN syntheses.top_k IS 'Top-k cut-off, null when unused.';
COMMENT ON COLUMN syntheses.top_p IS 'Nucleus (top-p) cut-off, null when unused.';
COMMENT ON COLUMN syntheses.seed IS 'Random seed of the sampler.';
COMMENT ON COLUMN syntheses.created_at IS 'When the synthesis was produced.';
COMMENT ON COLUMN syntheses.ingested_at IS 'When this row was first written.';

-- ---------------------------------------------------------------- human feedback
CREATE TABLE ratings (
    rating_id       text        PRIMARY KEY,
    synthesis_id    text        NOT NULL,
    rater_id        text        NOT NULL,
    score           smallint    NOT NULL CHECK (score BETWEEN 1 AND 5),
    created_at      timestamptz NOT NULL,
    payload_sha256  text        NOT NULL,
    kafka_partition integer     NOT NULL,
    kafka_offset    bigint      NOT NULL,
    ingested_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ratings_synthesis ON ratings (synthesis_id);
CREATE INDEX ratings_rater ON ratings (rater_id);
COMMENT ON TABLE ratings IS 'Scores people gave syntheses, from speech.ratings.v1. Written by the feedback-service sink with INSERT … ON CONFLICT (rating_id) DO NOTHING: the first accepted payload of a rating_id wins, replays change nothing. A rating may name a synthesis not (yet) in syntheses.';
COMMENT ON COLUMN ratings.rating_id IS 'Id of the rating, chosen by the product.';
COMMENT ON COLUMN ratings.synthesis_id IS 'Synthesis rated (syntheses.synthesis_id, possibly not arrived yet).';
COMMENT ON COLUMN ratings.rater_id IS 'Pseudonymous rater id chosen by the product; DELETE /v1/raters/{rater_id} erases the rater.';
COMMENT ON COLUMN ratings.score IS 'Score from 1 (bad) to 5 (excellent).';
COMMENT ON COLUMN ratings.created_at IS 'When the rating was given (time of receipt when the product sent none).';
COMMENT ON COLUMN ratings.payload_sha256 IS 'sha-256 of the canonical payload: a later record with the same rating_id and another hash is a conflict and goes to the DLQ.';
COMMENT ON COLUMN ratings.kafka_partition IS 'Partition of speech.ratings.v1 the first accepted record came from.';
COMMENT ON COLUMN ratings.kafka_offset IS 'Offset of the first accepted record.';
COMMENT ON COLUMN ratings.ingested_at IS 'When this row was written.';

CREATE TABLE comparisons (
    comparison_id   text        PRIMARY KEY,
    synthesis_a     text        NOT NULL,
    synthesis_b     text        NOT NULL,
    winner          text        NOT NULL CHECK (winner IN ('a', 'b', 'tie')),
    rater_id        text        NOT NULL,
    created_at      timestamptz NOT NULL,
    payload_sha256  text        NOT NULL,
    kafka_partition integer     NOT NULL,
    kafka_offset    bigint      NOT NULL,
    ingested_at     timestamptz NOT NULL DEFAULT now(),
    CHECK (synthesis_a <> synthesis_b)
);
CREATE INDEX comparisons_rater ON comparisons (rater_id);
CREATE INDEX comparisons_a ON comparisons (synthesis_a);
CREATE INDEX comparisons_b ON comparisons (synthesis_b);
COMMENT ON TABLE comparisons IS 'A/B choices between two syntheses, from speech.comparisons.v1. Written by the feedback-service sink with INSERT … ON CONFLICT (comparison_id) DO NOTHING.';
COMMENT ON COLUMN comparisons.comparison_id IS 'Id of the comparison, chosen by the product.';
COMMENT ON COLUMN comparisons.synthesis_a IS 'First synthesis shown.';
COMMENT ON COLUMN comparisons.synthesis_b IS 'Second synthesis shown.';
COMMENT ON COLUMN comparisons.winner IS 'a, b or tie.';
COMMENT ON COLUMN comparisons.rater_id IS 'Pseudonymous rater id.';
COMMENT ON COLUMN comparisons.created_at IS 'When the choice was made (time of receipt when the product sent none).';
COMMENT ON COLUMN comparisons.payload_sha256 IS 'sha-256 of the canonical payload (conflict detection, as for ratings).';
COMMENT ON COLUMN comparisons.kafka_partition IS 'Partition of speech.comparisons.v1 the first accepted record came from.';
COMMENT ON COLUMN comparisons.kafka_offset IS 'Offset of the first accepted record.';
COMMENT ON COLUMN comparisons.ingested_at IS 'When this row was written.';

CREATE TABLE ingest_claims (
    kind           text        NOT NULL CHECK (kind IN ('rating', 'comparison')),
    id             text        NOT NULL,
    payload_sha256 text        NOT NULL,
    rater_id       text        NOT NULL,
    claimed_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (kind, id)
);
CREATE INDEX ingest_claims_rater ON ingest_claims (rater_id);
COMMENT ON TABLE ingest_claims IS 'First payload seen over HTTP for each rating_id / comparison_id: the feedback-service answers 409 when the same id comes back with another payload, before anything reaches Kafka.';
COMMENT ON COLUMN ingest_claims.kind IS 'rating or comparison.';
COMMENT ON COLUMN ingest_claims.id IS 'rating_id or comparison_id.';
COMMENT ON COLUMN ingest_claims.payload_sha256 IS 'sha-256 of the canonical payload first claimed.';
COMMENT ON COLUMN ingest_claims.rater_id IS 'Rater of the claimed event (so an erasure removes the claim too).';
COMMENT ON COLUMN ingest_claims.claimed_at IS 'When the id was first claimed.';

CREATE TABLE rater_erasures (
    erasure_id          bigserial   PRIMARY KEY,
    rater_id            text        NOT NULL,
    requested_by        text        NOT NULL,
    erased_at           timestamptz NOT NULL DEFAULT now(),
    ratings_deleted     integer     NOT NULL,
    comparisons_deleted integer     NOT NULL,
    claims_deleted      integer     NOT NULL,
    pairs_deleted       integer     NOT NULL
);
CREATE INDEX rater_erasures_rater ON rater_erasures (rater_id, erased_at);
COMMENT ON TABLE rater_erasures IS 'Audit of DELETE /v1/raters/{rater_id}. The sink also drops any record of an erased rater whose Kafka timestamp precedes the erasure, so replays do not bring the data back.';
COMMENT ON COLUMN rater_erasures.erasure_id IS 'Sequence number of the erasure.';
COMMENT ON COLUMN rater_erasures.rater_id IS 'Rater erased.';
COMMENT ON COLUMN rater_erasures.requested_by IS 'Name of the admin API key that asked.';
COMMENT ON COLUMN rater_erasures.erased_at IS 'When the erasure ran.';
COMMENT ON COLUMN rater_erasures.ratings_deleted IS 'Rows deleted from ratings.';
COMMENT ON COLUMN rater_erasures.comparisons_deleted IS 'Rows deleted from comparisons.';
COMMENT ON COLUMN rater_erasures.claims_deleted IS 'Rows deleted from ingest_claims.';
COMMENT ON COLUMN rater_erasures.pairs_deleted IS 'Not yet batched rows deleted from preference_pairs made from the rater''s comparisons.';

-- ---------------------------------------------------------------- training
CREATE TABLE training_batches (
    batch_id         text        PRIMARY KEY,
    pair_count       integer     NOT NULL CHECK (pair_count > 0),
    status           text        NOT NULL DEFAULT 'pending'
                                 CHECK (status IN ('pending', 'claimed', 'done', 'failed')),
    created_at       timestamptz NOT NULL DEFAULT now(),
    claimed_by       text,
    claimed_at       timestamptz,
    lease_expires_at timestamptz,
    attempts         integer     NOT NULL DEFAULT 0,
    finished_at      timestamptz,
    result_version   text,
    error            text
);
CREATE INDEX training_batches_claimable ON training_batches (created_at) WHERE status IN ('pending', 'claimed');
COMMENT ON TABLE training_batches IS 'Batches of preference pairs for DPO. pref-builder inserts a row and sets preference_pairs.batch_id in one transaction; trainer-worker claims it with SELECT … FOR UPDATE SKIP LOCKED and a lease (a crashed worker''s batch is reclaimed once lease_expires_at has passed).';
COMMENT ON COLUMN training_batches.batch_id IS 'Id of the batch (record key of speech.training-batches.v1).';
COMMENT ON COLUMN training_batches.pair_count IS 'Number of preference pairs in the batch.';
COMMENT ON COLUMN training_batches.status IS 'pending (not claimed), claimed (a worker holds the lease), done (trained: see result_version) or failed (see error).';
COMMENT ON COLUMN training_batches.created_at IS 'When the batch was closed.';
COMMENT ON COLUMN training_batches.claimed_by IS 'Worker id holding or last holding the lease.';
COMMENT ON COLUMN training_batches.claimed_at IS 'When the current lease was taken.';
COMMENT ON COLUMN training_batches.lease_expires_at IS 'When the current lease ends unless renewed; a claimed batch past it may be claimed again.';
COMMENT ON COLUMN training_batches.attempts IS 'How many times the batch was claimed.';
COMMENT ON COLUMN training_batches.finished_at IS 'When the batch reached done or failed.';
COMMENT ON COLUMN training_batches.result_version IS 'Model version the DPO run produced (model_versions.version).';
COMMENT ON COLUMN training_batches.error IS 'Why the batch failed, when it did.';

CREATE TABLE preference_pairs (
    pair_id                text        PRIMARY KEY,
    source                 text        NOT NULL CHECK (source IN ('golden_vs_synthetic', 'golden_vs_low_rated', 'rating_ranked', 'comparison')),
    utterance_id           text,
    text                   text        NOT NULL,
    speaker                text        NOT NULL,
    phones                 jsonb       NOT NULL,
    chosen_tokens          integer[][] NOT NULL,
    chosen_synthesis_id    text,
    chosen_utterance_id    text,
    rejected_tokens        integer[][] NOT NULL,
    rejected_synthesis_id  text,
    rejected_utterance_id  text,
    rejected_model_version text,
    comparison_id          text,
    created_at             timestamptz NOT NULL,
    inserted_at            timestamptz NOT NULL DEFAULT now(),
    batch_id               text        REFERENCES training_batches (batch_id),
    CHECK ((chosen_synthesis_id IS NULL) <> (chosen_utterance_id IS NULL)),
    CHECK ((rejected_synthesis_id IS NULL) <> (rejected_utterance_id IS NULL))
);
CREATE INDEX preference_pairs_unbatched ON preference_pairs (inserted_at) WHERE batch_id IS NULL;
CREATE INDEX preference_pairs_batch ON preference_pairs (batch_id);
CREATE INDEX preference_pairs_comparison ON preference_pairs (comparison_id) WHERE comparison_id IS NOT NULL;
COMMENT ON TABLE preference_pairs IS 'Preference pairs (speech.preferences.v1) for DPO, written by pref-builder with an idempotent upsert on pair_id; batch_id is set once, when a training batch claims the pair.';
COMMENT ON COLUMN preference_pairs.pair_id IS 'Deterministic id: first 32 hex digits of sha-256(source|chosen ref|rejected ref); a replay yields the same id.';
COMMENT ON COLUMN preference_pairs.source IS 'golden_vs_synthetic (the paper''s dataset), golden_vs_low_rated, rating_ranked or comparison.';
COMMENT ON COLUMN preference_pairs.utterance_id IS 'Golden utterance id when there is one.';
COMMENT ON COLUMN preference_pairs.text IS 'Text both sides speak.';
COMMENT ON COLUMN preference_pairs.speaker IS 'Voice.';
COMMENT ON COLUMN preference_pairs.phones IS 'Phones of the text with durations: JSON array of {symbol, frames}.';
COMMENT ON COLUMN preference_pairs.chosen_tokens IS 'Codec tokens of the preferred side, tokens[codebook][frame].';
COMMENT ON COLUMN preference_pairs.chosen_synthesis_id IS 'Synthesis the chosen side came from (null when golden).';
COMMENT ON COLUMN preference_pairs.chosen_utterance_id IS 'Golden utterance the chosen side came from (null when synthetic).';
COMMENT ON COLUMN preference_pairs.rejected_tokens IS 'Codec tokens of the dispreferred side.';
COMMENT ON COLUMN preference_pairs.rejected_synthesis_id IS 'Synthesis the rejected side came from (null when golden).';
COMMENT ON COLUMN preference_pairs.rejected_utterance_id IS 'Golden utterance the rejected side came from (null when synthetic).';
COMMENT ON COLUMN preference_pairs.rejected_model_version IS 'Model version that produced the rejected side.';
COMMENT ON COLUMN preference_pairs.comparison_id IS 'Comparison the pair was made from (source comparison), so a rater erasure can find it.';
COMMENT ON COLUMN preference_pairs.created_at IS 'When the pair was made.';
COMMENT ON COLUMN preference_pairs.inserted_at IS 'When this row was first written.';
COMMENT ON COLUMN preference_pairs.batch_id IS 'Training batch the pair belongs to; null while unbatched.';

CREATE TABLE model_versions (
    version         text        PRIMARY KEY,
    model_line      text        NOT NULL DEFAULT 'default',
    parent_version  text        REFERENCES model_versions (version),
    artifact_uri    text        NOT NULL,
    artifact_sha256 text        NOT NULL CHECK (artifact_sha256 ~ '^[0-9a-f]{64}$'),
    status          text        NOT NULL CHECK (status IN ('candidate', 'promoted', 'rejected', 'rolled_back')),
    metrics         jsonb       NOT NULL DEFAULT '{}'::jsonb,
    batch_id        text        REFERENCES training_batches (batch_id),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX model_versions_line ON model_versions (model_line, created_at);
COMMENT ON TABLE model_versions IS 'Model registry: every version trained or imported, inserted before speech.model-versions.v1 announces it.';
COMMENT ON COLUMN model_versions.version IS 'Version name.';
COMMENT ON COLUMN model_versions.model_line IS 'Line of models the version belongs to (record key of speech.model-versions.v1).';
COMMENT ON COLUMN model_versions.parent_version IS 'Version it was trained from (DPO reference model); null for a base model.';
COMMENT ON COLUMN model_versions.artifact_uri IS 'Where the artifact file can be fetched.';
COMMENT ON COLUMN model_versions.artifact_sha256 IS 'sha-256 of the artifact file, which is also its name.';
COMMENT ON COLUMN model_versions.status IS 'candidate, promoted, rejected or rolled_back.';
COMMENT ON COLUMN model_versions.metrics IS 'Evaluation metrics and gate result (JSON object of numbers).';
COMMENT ON COLUMN model_versions.batch_id IS 'Training batch that produced the version, when trained here.';
COMMENT ON COLUMN model_versions.created_at IS 'When the version was registered.';
COMMENT ON COLUMN model_versions.updated_at IS 'When status last changed.';

CREATE TABLE model_events (
    event_id     bigserial   PRIMARY KEY,
    version      text        NOT NULL REFERENCES model_versions (version),
    action       text        NOT NULL CHECK (action IN ('registered', 'promoted', 'rejected', 'rolled_back', 'deleted')),
    from_version text,
    actor        text        NOT NULL,
    reason       text,
    details      jsonb       NOT NULL DEFAULT '{}'::jsonb,
    at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX model_events_version ON model_events (version, at);
COMMENT ON TABLE model_events IS 'Audit log of the model registry: registration, promotion, rejection, rollback, artifact deletion. Append-only.';
COMMENT ON COLUMN model_events.event_id IS 'Sequence number of the event.';
COMMENT ON COLUMN model_events.version IS 'Version acted upon.';
COMMENT ON COLUMN model_events.action IS 'registered, promoted, rejected, rolled_back or deleted.';
COMMENT ON COLUMN model_events.from_version IS 'Version serving before the action (promotion, rollback).';
COMMENT ON COLUMN model_events.actor IS 'Who acted: an API key name or a component (trainer-worker, gate).';
COMMENT ON COLUMN model_events.reason IS 'Why (gate verdict, operator note).';
COMMENT ON COLUMN model_events.details IS 'Extra facts as JSON (gate interval, metrics).';
COMMENT ON COLUMN model_events.at IS 'When the action happened.';

CREATE TABLE training_metrics (
    batch_id        text             NOT NULL REFERENCES training_batches (batch_id),
    attempt         integer          NOT NULL DEFAULT 1,
    step            integer          NOT NULL CHECK (step >= 0),
    loss            double precision NOT NULL,
    reward_margin   double precision,
    reward_accuracy double precision,
    learning_rate   double precision,
    extra           jsonb            NOT NULL DEFAULT '{}'::jsonb,
    recorded_at     timestamptz      NOT NULL DEFAULT now(),
    PRIMARY KEY (batch_id, attempt, step)
);
COMMENT ON TABLE training_metrics IS 'Per-step DPO metrics written by trainer-worker (upsert on batch_id, attempt, step).';
COMMENT ON COLUMN training_metrics.batch_id IS 'Training batch being trained.';
COMMENT ON COLUMN training_metrics.attempt IS 'Which claim of the batch (training_batches.attempts) produced the step.';
COMMENT ON COLUMN training_metrics.step IS 'Optimiser step, from 0.';
COMMENT ON COLUMN training_metrics.loss IS 'DPO loss.';
COMMENT ON COLUMN training_metrics.reward_margin IS 'Mean implicit reward of chosen minus rejected.';
COMMENT ON COLUMN training_metrics.reward_accuracy IS 'Share of pairs whose chosen reward exceeds the rejected one.';
COMMENT ON COLUMN training_metrics.learning_rate IS 'Learning rate at the step.';
COMMENT ON COLUMN training_metrics.extra IS 'Further metrics as a JSON object.';
COMMENT ON COLUMN training_metrics.recorded_at IS 'When the step was recorded.';

-- ---------------------------------------------------------------- access
CREATE TABLE api_keys (
    key_id                text        PRIMARY KEY,
    name                  text        NOT NULL,
    key_sha256            text        NOT NULL UNIQUE,
    roles                 text[]      NOT NULL CHECK (roles <@ ARRAY['ingest', 'synthesize', 'admin']::text[]),
    rate_limit_per_second integer     CHECK (rate_limit_per_second > 0),
    created_at            timestamptz NOT NULL DEFAULT now(),
    revoked_at            timestamptz
);
CREATE UNIQUE INDEX api_keys_active_name ON api_keys (name) WHERE revoked_at IS NULL;
COMMENT ON TABLE api_keys IS 'API keys, stored hashed: the key itself is shown once at creation and never stored. Managed with ./speechalign keys create|revoke.';
COMMENT ON COLUMN api_keys.key_id IS 'Public id of the key (also its prefix sa_<key_id>_…).';
COMMENT ON COLUMN api_keys.name IS 'Who the key is for; unique among active keys.';
COMMENT ON COLUMN api_keys.key_sha256 IS 'Hex sha-256 of the full key (keys carry 256 random bits, so a fast hash suffices).';
COMMENT ON COLUMN api_keys.roles IS 'Roles granted: ingest (ratings, comparisons), synthesize, admin (promote, rollback, erasure, key management).';
COMMENT ON COLUMN api_keys.rate_limit_per_second IS 'Events per second the key may send to each service instance; null means the service default.';
COMMENT ON COLUMN api_keys.created_at IS 'When the key was created.';
COMMENT ON COLUMN api_keys.revoked_at IS 'When the key was revoked; a revoked key is refused (within the services'' key cache time).';

-- ---------------------------------------------------------------- dashboard views
CREATE VIEW ratings_by_model_version AS
SELECT s.model_version,
       count(*)                                  AS ratings,
       count(DISTINCT r.synthesis_id)            AS syntheses_rated,
       count(DISTINCT r.rater_id)                AS raters,
       round(avg(r.score)::numeric, 3)           AS mean_score,
       count(*) FILTER (WHERE r.score = 1)       AS score_1,
       count(*) FILTER (WHERE r.score = 2)       AS score_2,
       count(*) FILTER (WHERE r.score = 3)       AS score_3,
       count(*) FILTER (WHERE r.score = 4)       AS score_4,
       count(*) FILTER (WHERE r.score = 5)       AS score_5
FROM ratings r
JOIN syntheses s ON s.synthesis_id = r.synthesis_id
GROUP BY s.model_version;
COMMENT ON VIEW ratings_by_model_version IS 'Ratings per model version: count, mean score and the score distribution (ratings whose synthesis has not arrived yet are left out).';
COMMENT ON COLUMN ratings_by_model_version.model_version IS 'Model version that produced the rated syntheses.';
COMMENT ON COLUMN ratings_by_model_version.ratings IS 'Number of ratings.';
COMMENT ON COLUMN ratings_by_model_version.syntheses_rated IS 'Distinct syntheses rated.';
COMMENT ON COLUMN ratings_by_model_version.raters IS 'Distinct raters.';
COMMENT ON COLUMN ratings_by_model_version.mean_score IS 'Mean score (1–5).';
COMMENT ON COLUMN ratings_by_model_version.score_1 IS 'Ratings with score 1.';
COMMENT ON COLUMN ratings_by_model_version.score_2 IS 'Ratings with score 2.';
COMMENT ON COLUMN ratings_by_model_version.score_3 IS 'Ratings with score 3.';
COMMENT ON COLUMN ratings_by_model_version.score_4 IS 'Ratings with score 4.';
COMMENT ON COLUMN ratings_by_model_version.score_5 IS 'Ratings with score 5.';

CREATE VIEW win_rate_vs_parent_comparisons AS
WITH duels AS (
    SELECT CASE WHEN sa.model_version = mv.version THEN 'a' ELSE 'b' END AS version_side,
           mv.version, mv.parent_version, c.winner
    FROM comparisons c
    JOIN syntheses sa ON sa.synthesis_id = c.synthesis_a
    JOIN syntheses sb ON sb.synthesis_id = c.synthesis_b
    JOIN model_versions mv
      ON (sa.model_version = mv.version AND sb.model_version = mv.parent_version)
      OR (sb.model_version = mv.version AND sa.model_version = mv.parent_version)
)
SELECT version, parent_version,
       count(*)                                                        AS comparisons,
       count(*) FILTER (WHERE winner = version_side)                   AS wins,
       count(*) FILTER (WHERE winner <> version_side AND winner <> 'tie') AS losses,
       count(*) FILTER (WHERE winner = 'tie')                          AS ties,
       round((count(*) FILTER (WHERE winner = version_side) + 0.5 * count(*) FILTER (WHERE winner = 'tie'))::numeric
             / count(*), 3)                                            AS win_rate
FROM duels
GROUP BY version, parent_version;
COMMENT ON VIEW win_rate_vs_parent_comparisons IS 'Win rate of each model version against its parent from A/B comparisons between one synthesis of each.';
COMMENT ON COLUMN win_rate_vs_parent_comparisons.version IS 'Model version.';
COMMENT ON COLUMN win_rate_vs_parent_comparisons.parent_version IS 'Its parent (the version it was trained from).';
COMMENT ON COLUMN win_rate_vs_parent_comparisons.comparisons IS 'Comparisons between the two.';
COMMENT ON COLUMN win_rate_vs_parent_comparisons.wins IS 'Comparisons the version won.';
COMMENT ON COLUMN win_rate_vs_parent_comparisons.losses IS 'Comparisons the parent won.';
COMMENT ON COLUMN win_rate_vs_parent_comparisons.ties IS 'Ties.';
COMMENT ON COLUMN win_rate_vs_parent_comparisons.win_rate IS '(wins + ties/2) / comparisons.';

CREATE VIEW win_rate_vs_parent_ratings AS
WITH scored AS (
    SELECT s.synthesis_id, s.model_version, s.text, s.speaker, avg(r.score) AS mean_score
    FROM syntheses s JOIN ratings r ON r.synthesis_id = s.synthesis_id
    GROUP BY s.synthesis_id, s.model_version, s.text, s.speaker
), matched AS (
    SELECT mv.version, mv.parent_version, v.mean_score AS version_score, p.mean_score AS parent_score
    FROM model_versions mv
    JOIN scored v ON v.model_version = mv.version
    JOIN scored p ON p.model_version = mv.parent_version AND p.text = v.text AND p.speaker = v.speaker
)
SELECT version, parent_version,
       count(*)                                           AS matched_pairs,
       count(*) FILTER (WHERE version_score > parent_score) AS wins,
       count(*) FILTER (WHERE version_score < parent_score) AS losses,
       count(*) FILTER (WHERE version_score = parent_score) AS ties,
       round((count(*) FILTER (WHERE version_score > parent_score)
              + 0.5 * count(*) FILTER (WHERE version_score = parent_score))::numeric / count(*), 3) AS win_rate,
       round(avg(version_score - parent_score)::numeric, 3) AS mean_score_difference
FROM matched
GROUP BY version, parent_version;
COMMENT ON VIEW win_rate_vs_parent_ratings IS 'Win rate of each model version against its parent from ratings: every rated synthesis of the version is matched with every rated synthesis of the parent for the same text and speaker; the one with the higher mean score wins.';
COMMENT ON COLUMN win_rate_vs_parent_ratings.version IS 'Model version.';
COMMENT ON COLUMN win_rate_vs_parent_ratings.parent_version IS 'Its parent.';
COMMENT ON COLUMN win_rate_vs_parent_ratings.matched_pairs IS 'Pairs of rated syntheses (version, parent) with the same text and speaker.';
COMMENT ON COLUMN win_rate_vs_parent_ratings.wins IS 'Pairs where the version scored higher.';
COMMENT ON COLUMN win_rate_vs_parent_ratings.losses IS 'Pairs where the parent scored higher.';
COMMENT ON COLUMN win_rate_vs_parent_ratings.ties IS 'Pairs with equal mean scores.';
COMMENT ON COLUMN win_rate_vs_parent_ratings.win_rate IS '(wins + ties/2) / matched_pairs.';
COMMENT ON COLUMN win_rate_vs_parent_ratings.mean_score_difference IS 'Mean of version score minus parent score over the pairs.';

CREATE VIEW preference_pairs_by_source_and_version AS
SELECT source,
       rejected_model_version,
       count(*)                                   AS pairs,
       count(*) FILTER (WHERE batch_id IS NULL)   AS unbatched,
       count(*) FILTER (WHERE batch_id IS NOT NULL) AS batched,
       min(created_at)                            AS first_created_at,
       max(created_at)                            AS last_created_at
FROM preference_pairs
GROUP BY source, rejected_model_version;
COMMENT ON VIEW preference_pairs_by_source_and_version IS 'Preference pairs per source and per model version of the rejected side.';
COMMENT ON COLUMN preference_pairs_by_source_and_version.source IS 'How the pairs were made.';
COMMENT ON COLUMN preference_pairs_by_source_and_version.rejected_model_version IS 'Model version that produced the rejected side.';
COMMENT ON COLUMN preference_pairs_by_source_and_version.pairs IS 'Number of pairs.';
COMMENT ON COLUMN preference_pairs_by_source_and_version.unbatched IS 'Pairs not yet in a training batch.';
COMMENT ON COLUMN preference_pairs_by_source_and_version.batched IS 'Pairs in a training batch.';
COMMENT ON COLUMN preference_pairs_by_source_and_version.first_created_at IS 'Oldest pair.';
COMMENT ON COLUMN preference_pairs_by_source_and_version.last_created_at IS 'Newest pair.';

CREATE VIEW training_metrics_per_batch AS
SELECT b.batch_id, b.status, b.pair_count, b.attempts, b.result_version,
       count(m.step)                                                     AS steps,
       (array_agg(m.loss ORDER BY m.attempt, m.step))[1]                 AS first_loss,
       (array_agg(m.loss ORDER BY m.attempt DESC, m.step DESC))[1]       AS last_loss,
       min(m.loss)                                                       AS min_loss,
       (array_agg(m.reward_accuracy ORDER BY m.attempt DESC, m.step DESC))[1] AS last_reward_accuracy,
       (array_agg(m.reward_margin ORDER BY m.attempt DESC, m.step DESC))[1]   AS last_reward_margin,
       b.created_at, b.finished_at
FROM training_batches b
LEFT JOIN training_metrics m ON m.batch_id = b.batch_id
GROUP BY b.batch_id;
COMMENT ON VIEW training_metrics_per_batch IS 'Training metrics summarised per batch: steps, first/last/min DPO loss, last reward accuracy and margin.';
COMMENT ON COLUMN training_metrics_per_batch.batch_id IS 'Training batch.';
COMMENT ON COLUMN training_metrics_per_batch.status IS 'Batch status (pending, claimed, done, failed).';
COMMENT ON COLUMN training_metrics_per_batch.pair_count IS 'Pairs in the batch.';
COMMENT ON COLUMN training_metrics_per_batch.attempts IS 'Times the batch was claimed.';
COMMENT ON COLUMN training_metrics_per_batch.result_version IS 'Model version produced.';
COMMENT ON COLUMN training_metrics_per_batch.steps IS 'Steps recorded (all attempts).';
COMMENT ON COLUMN training_metrics_per_batch.first_loss IS 'Loss at the first recorded step.';
COMMENT ON COLUMN training_metrics_per_batch.last_loss IS 'Loss at the last recorded step of the last attempt.';
COMMENT ON COLUMN training_metrics_per_batch.min_loss IS 'Lowest loss recorded.';
COMMENT ON COLUMN training_metrics_per_batch.last_reward_accuracy IS 'Reward accuracy at the last step.';
COMMENT ON COLUMN training_metrics_per_batch.last_reward_margin IS 'Reward margin at the last step.';
COMMENT ON COLUMN training_metrics_per_batch.created_at IS 'When the batch was closed.';
COMMENT ON COLUMN training_metrics_per_batch.finished_at IS 'When the batch finished.';
