package org.speechalign.prefbuilder;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.TableJoined;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.speechalign.contracts.Comparison;
import org.speechalign.contracts.GoldenUtterance;
import org.speechalign.contracts.Json;
import org.speechalign.contracts.Preference;
import org.speechalign.contracts.Rating;
import org.speechalign.contracts.Synthesis;
import org.speechalign.prefbuilder.PairingState.ComparisonWithA;
import org.speechalign.prefbuilder.PairingState.EnrichedSynthesis;
import org.speechalign.prefbuilder.PairingState.RaterScore;
import org.speechalign.prefbuilder.PairingState.RankMember;
import org.speechalign.prefbuilder.PairingState.RankedCandidate;
import org.speechalign.prefbuilder.PairingState.RankedWithChosen;
import org.speechalign.prefbuilder.PairingState.RatedSynthesis;
import org.speechalign.prefbuilder.PairingState.RatingSummary;
import org.speechalign.prefbuilder.PairingState.TextGroup;

/**
 * The pref-builder topology: syntheses, ratings, comparisons and golden tokens in, preference
 * pairs out on {@code speech.preferences.v1}. Everything that must meet is a table, so input may
 * arrive in any order (a rating before its synthesis, a synthesis before its golden utterance) and
 * still pair as soon as the other side arrives; what is too old is refused by the grace check in
 * {@link Validator} and kept on the input's {@code .dlq}.
 */
public final class PrefBuilderTopology {

    // ---- state stores (their changelogs are internal topics named <application.id>-<store>-changelog)
    /** Newest created_at accepted per synthesis_id partition (ratings and syntheses share it). */
    public static final String WATERMARK_STORE = "synthesis-partition-watermark";
    /** Newest created_at accepted per comparison_id partition. */
    public static final String COMPARISON_WATERMARK_STORE = "comparison-partition-watermark";
    /** synthesis_id → payload hash of the first accepted synthesis. */
    public static final String SEEN_SYNTHESES_STORE = "seen-synthesis-ids";
    /** rating_id → payload hash of the first accepted rating. */
    public static final String SEEN_RATINGS_STORE = "seen-rating-ids";
    /** comparison_id → payload hash of the first accepted comparison. */
    public static final String SEEN_COMPARISONS_STORE = "seen-comparison-ids";
    /** utterance_id → golden utterance (latest version: the corpus topic is compacted). */
    public static final String GOLDEN_STORE = "golden-by-utterance";
    /** synthesis_id → synthesis. */
    public static final String SYNTHESES_STORE = "syntheses-by-id";
    /** synthesis_id → synthesis with its golden utterance. */
    public static final String ENRICHED_STORE = "syntheses-with-golden";
    /** synthesis_id → aggregated ratings. */
    public static final String RATINGS_STORE = "ratings-by-synthesis";
    /** synthesis_id → newest rating time, for rated syntheses that have not arrived (expired after the grace period). */
    public static final String PENDING_RATINGS_STORE = "ratings-awaiting-synthesis";
    /** synthesis_id → created_at, for syntheses whose golden utterance has not arrived (expired after the grace period). */
    public static final String SYNTHESES_AWAITING_GOLDEN_STORE = "syntheses-awaiting-golden";
    /** speaker + text → rated syntheses of that text (rating_ranked). */
    public static final String TEXT_GROUPS_STORE = "rated-syntheses-by-text";
    /** chosen>rejected synthesis ids → rating_ranked candidate. */
    public static final String RANKED_CANDIDATES_STORE = "ranked-candidates";
    /** chosen>rejected → candidate with its chosen synthesis. */
    public static final String RANKED_CHOSEN_STORE = "ranked-candidates-with-chosen";
    /** chosen>rejected → rating_ranked pair (or nothing when the rule no longer applies). */
    public static final String RANKED_PAIRS_STORE = "ranked-pairs";
    /** comparison_id → non-tie comparison. */
    public static final String COMPARISONS_STORE = "comparisons-by-id";
    /** comparison_id → comparison with its synthesis A. */
    public static final String COMPARISON_A_STORE = "comparisons-with-a";
    /** comparison_id → comparison pair (or nothing when the rule does not apply). */
    public static final String COMPARISON_PAIRS_STORE = "comparison-pairs";

    /** How often (wall clock) each task sweeps its state for what the grace period has expired. */
    public static final Duration EXPIRY_INTERVAL = Duration.ofMinutes(1);

    /** Kafka header on comparison pairs naming the comparison (preference_pairs.comparison_id). */
    public static final String COMPARISON_ID_HEADER = "comparison_id";

    static final Serde<String> KEYS = Serdes.String();
    static final Serde<GoldenUtterance> GOLDEN = JsonSerde.of(GoldenUtterance.class);
    static final Serde<Synthesis> SYNTHESIS = JsonSerde.of(Synthesis.class);
    static final Serde<Rating> RATING = JsonSerde.of(Rating.class);
    static final Serde<Comparison> COMPARISON = JsonSerde.of(Comparison.class);
    static final Serde<Preference> PREFERENCE = JsonSerde.of(Preference.class);
    static final Serde<EnrichedSynthesis> ENRICHED = new EnrichedSynthesisSerde(); // binary: read by every rating (see EnrichedSynthesisSerde)
    static final Serde<RatingSummary> SUMMARY = new RatingSummarySerde(); // binary: read and written by every rating
    static final Serde<RankMember> MEMBER = JsonSerde.of(RankMember.class);
    static final Serde<RankedCandidate> CANDIDATE = JsonSerde.of(RankedCandidate.class);
    static final Serde<RankedWithChosen> WITH_CHOSEN = JsonSerde.of(RankedWithChosen.class);
    static final Serde<TextGroup> GROUP = new TextGroupSerde(); // binary: the hottest state (see TextGroupSerde)
    static final Serde<ComparisonWithA> WITH_A = JsonSerde.of(ComparisonWithA.class);

    private PrefBuilderTopology() {
    }

    public static Topology build(PrefTopics topics, PairingPolicy policy, Counters counters) {
        StreamsBuilder builder = new StreamsBuilder();
        for (var store : Map.of(WATERMARK_STORE, Serdes.Long(), COMPARISON_WATERMARK_STORE, Serdes.Long(),
                SEEN_SYNTHESES_STORE, Serdes.String(), SEEN_RATINGS_STORE, Serdes.String(),
                SEEN_COMPARISONS_STORE, Serdes.String(), Validator.timeIndex(SEEN_SYNTHESES_STORE), Serdes.String(),
                Validator.timeIndex(SEEN_RATINGS_STORE), Serdes.String(), Validator.timeIndex(SEEN_COMPARISONS_STORE), Serdes.String(),
                PENDING_RATINGS_STORE, Serdes.Long(), SYNTHESES_AWAITING_GOLDEN_STORE, Serdes.Long()).entrySet()) {
            builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(store.getKey()), KEYS,
                    (Serde<?>) store.getValue()));
        }

        // 1. Golden utterances, latest version per utterance_id. Read as a stream (so invalid records
        //    can go to the DLQ) and turned into a table: a topic cannot be both stream() and table().
        KTable<String, GoldenUtterance> golden = validated(builder, topics.golden(), counters, policy,
                new Validator.Spec<>("pref-builder", GoldenUtterance.class, "utterance_id", GoldenUtterance::utteranceId,
                        "utterance_id", GoldenUtterance::utteranceId,
                        null, true, null, null))
                .toTable(Named.as("golden-table"), materialized(GOLDEN_STORE, GOLDEN));

        // 2. Syntheses by synthesis_id; the first accepted version of an id wins.
        KTable<String, Synthesis> syntheses = validated(builder, topics.synthesis(), counters, policy,
                new Validator.Spec<>("pref-builder", Synthesis.class, "synthesis_id", Synthesis::synthesisId,
                        "synthesis_id", Synthesis::synthesisId,
                        Synthesis::createdAt, false, SEEN_SYNTHESES_STORE, WATERMARK_STORE))
                .toTable(Named.as("syntheses-table"), materialized(SYNTHESES_STORE, SYNTHESIS));

        // 3. Each synthesis with the golden utterance it names.
        //    Foreign-key LEFT join: many syntheses name one utterance (so not a key join), a product
        //    synthesis may name none (so left), and it re-fires when the golden record arrives later.
        KTable<String, EnrichedSynthesis> enriched = syntheses.leftJoin(golden, Synthesis::utteranceId,
                EnrichedSynthesis::new, TableJoined.as("synthesis-golden"), materialized(ENRICHED_STORE, ENRICHED));

        //    Syntheses whose golden utterance does not come within the grace period expire (counted, to the
        //    syntheses' DLQ, deleted from the syntheses and syntheses-with-golden stores: see SynthesisExpiry).
        enriched.toStream(Named.as("enriched-for-expiry"))
                .process(() -> new SynthesisExpiry(policy.gracePeriod(), counters, topics.synthesis()), Named.as("expire-syntheses"),
                        SYNTHESES_AWAITING_GOLDEN_STORE, SYNTHESES_STORE, ENRICHED_STORE, WATERMARK_STORE)
                .mapValues(d -> Json.write(d), Named.as("syntheses-expired-dead-letter"))
                .to(PrefTopics.dlq(topics.synthesis()), Produced.with(KEYS, Serdes.ByteArray()).withName("syntheses-expired-dlq-out"));

        // 4. Rule golden_vs_synthetic: every self-play synthesis of a train-split utterance (the paper's dataset).
        KStream<String, Preference> goldenVsSynthetic = enriched.toStream(Named.as("enriched-changes"))
                .mapValues(e -> e == null ? null : Pairs.goldenVsSynthetic(e), Named.as("rule-golden-vs-synthetic"))
                .filter((k, p) -> p != null);

        // 5. Ratings aggregated per synthesis: one score per rater, mean over distinct raters. Beside the
        //    aggregate, RatingExpiry notes ratings whose synthesis has not arrived and, after the grace
        //    period, expires them (counted, to the ratings' DLQ, deleted from the aggregate's store).
        KStream<String, Rating> validRatings = validated(builder, topics.ratings(), counters, policy,
                new Validator.Spec<>("pref-builder", Rating.class, "synthesis_id", Rating::synthesisId,
                        "rating_id", Rating::ratingId,
                        Rating::createdAt, false, SEEN_RATINGS_STORE, WATERMARK_STORE));
        KTable<String, RatingSummary> ratings = validRatings
                .groupByKey(Grouped.with("ratings-by-synthesis", KEYS, RATING))
                .aggregate(RatingSummary::empty,
                        (synthesisId, r, summary) -> summary.add(r.raterId(), new RaterScore(r.ratingId(), r.score(), r.createdAt())),
                        Named.as("aggregate-ratings"), materialized(RATINGS_STORE, SUMMARY));
        validRatings
                .process(() -> new RatingExpiry(policy.gracePeriod(), counters, topics.ratings()), Named.as("expire-ratings"),
                        PENDING_RATINGS_STORE, RATINGS_STORE, SEEN_SYNTHESES_STORE, SYNTHESES_STORE, WATERMARK_STORE)
                .mapValues(d -> Json.write(d), Named.as("ratings-expired-dead-letter"))
                .to(PrefTopics.dlq(topics.ratings()), Produced.with(KEYS, Serdes.ByteArray()).withName("ratings-expired-dlq-out"));

        // 6. Each rated synthesis with its ratings.
        //    Table-table INNER join on synthesis_id: both sides are keyed (and partitioned) alike, either
        //    may come first (a rating races its synthesis), and a pair needs both.
        KTable<String, RatedSynthesis> rated = enriched.join(ratings, RatedSynthesis::new, Named.as("synthesis-ratings"));

        // 7. Rule golden_vs_low_rated: a product synthesis of a golden utterance that enough raters scored low.
        KStream<String, Preference> goldenVsLowRated = rated.toStream(Named.as("rated-changes"))
                .mapValues(r -> r == null ? null : Pairs.goldenVsLowRated(r, policy), Named.as("rule-golden-vs-low-rated"))
                .filter((k, p) -> p != null);

        // 8. Rule rating_ranked: syntheses of the same speaker and text whose mean scores differ by the margin.
        //    Slim members are regrouped by (speaker, text); a group change yields candidates for the
        //    member that changed; the candidates' tokens are then joined in like a comparison's.
        KTable<String, RankedCandidate> rankedCandidates = rated
                .filter((k, r) -> Pairs.rankable(r, policy), Named.as("rankable"))
                .groupBy((k, r) -> KeyValue.pair(Pairs.textSpeakerKey(r.enriched().synthesis()), RankMember.of(r)),
                        Grouped.with("rated-by-text", KEYS, MEMBER))
                .aggregate(TextGroup::empty,
                        (text, m, group) -> group.put(m, policy.maxRankedGroupSize()),
                        (text, m, group) -> group.remove(m),
                        Named.as("group-by-text"), materialized(TEXT_GROUPS_STORE, GROUP))
                .toStream(Named.as("group-changes"))
                .flatMap((text, g) -> g == null ? List.<KeyValue<String, RankedCandidate>>of()
                        : Pairs.ratingRankedCandidates(g, policy).stream().map(c -> KeyValue.pair(c.key(), c)).toList(),
                        Named.as("rule-rating-ranked"))
                .toTable(Named.as("ranked-candidates-table"), materialized(RANKED_CANDIDATES_STORE, CANDIDATE));
        //    Two foreign-key INNER joins (chosen, then rejected): a candidate names two syntheses by id and
        //    many candidates name the same synthesis.
        KStream<String, Preference> ratingRanked = rankedCandidates
                .join(enriched, RankedCandidate::chosenId, RankedWithChosen::new,
                        TableJoined.as("ranked-chosen"), materialized(RANKED_CHOSEN_STORE, WITH_CHOSEN))
                .join(enriched, h -> h.candidate().rejectedId(), (h, rej) -> Pairs.ratingRanked(h.candidate(), h.chosen(), rej),
                        TableJoined.as("ranked-rejected"), materialized(RANKED_PAIRS_STORE, PREFERENCE))
                .toStream(Named.as("ranked-pair-changes"))
                .filter((k, p) -> p != null);

        // 9. Comparisons by comparison_id; ties say nothing about preference and are dropped (counted).
        KTable<String, Comparison> comparisons = validated(builder, topics.comparisons(), counters, policy,
                new Validator.Spec<>("pref-builder", Comparison.class, "comparison_id", Comparison::comparisonId,
                        "comparison_id", Comparison::comparisonId,
                        Comparison::createdAt, false, SEEN_COMPARISONS_STORE, COMPARISON_WATERMARK_STORE))
                .filter((k, c) -> {
                    if (c != null && c.winner() == Comparison.Winner.TIE) {
                        counters.ties.incrementAndGet();
                        return false;
                    }
                    return true;
                }, Named.as("drop-ties"))
                .toTable(Named.as("comparisons-table"), materialized(COMPARISONS_STORE, COMPARISON));

        // 10. Rule comparison: the winner chosen, the loser rejected.
        //     Two foreign-key INNER joins (A, then B): a comparison names two syntheses by id, many
        //     comparisons may name one synthesis, either may arrive first, and a pair needs both sides.
        KStream<String, Preference> comparisonPairs = comparisons
                .join(enriched, Comparison::synthesisA, ComparisonWithA::new,
                        TableJoined.as("comparison-synthesis-a"), materialized(COMPARISON_A_STORE, WITH_A))
                .join(enriched, h -> h.comparison().synthesisB(), (h, b) -> Pairs.comparison(h.comparison(), h.a(), b),
                        TableJoined.as("comparison-synthesis-b"), materialized(COMPARISON_PAIRS_STORE, PREFERENCE))
                .toStream(Named.as("comparison-pair-changes"))
                .filter((k, p) -> p != null)
                .processValues(ComparisonIdHeader::new, Named.as("comparison-id-header"));

        // 11. Every rule's pairs, keyed by their deterministic pair_id, onto speech.preferences.v1.
        goldenVsSynthetic
                .merge(goldenVsLowRated, Named.as("merge-low-rated"))
                .merge(ratingRanked, Named.as("merge-rating-ranked"))
                .merge(comparisonPairs, Named.as("merge-comparison"))
                .selectKey((k, p) -> p.pairId(), Named.as("key-by-pair-id"))
                .to(topics.preferences(), Produced.with(KEYS, PREFERENCE).withName("preferences-out"));

        return builder.build();
    }

    /**
     * Reads an input topic as raw bytes, runs the {@link Validator} and sends what it refuses to
     * {@code <topic>.dlq}; returns the valid events (null values are golden tombstones).
     */
    private static <T> KStream<String, T> validated(StreamsBuilder builder, String topic, Counters counters,
                                                    PairingPolicy policy, Validator.Spec<T> spec) {
        String[] stores = java.util.stream.Stream.of(spec.firstWinsStore(), spec.watermarkStore(),
                        spec.forgets() ? Validator.timeIndex(spec.firstWinsStore()) : null)
                .filter(s -> s != null).toArray(String[]::new);
        String name = topic.replace('.', '-');
        Map<String, KStream<String, Checked<T>>> branches = builder
                .stream(topic, Consumed.with(KEYS, Serdes.ByteArray()).withName(name + "-in"))
                .processValues(() -> new Validator<>(spec, policy.gracePeriod(), counters), Named.as(name + "-validate"), stores)
                .split(Named.as(name + "-"))
                .branch((k, c) -> c.valid(), Branched.as("valid"))
                .defaultBranch(Branched.as("invalid"));
        branches.get(name + "-invalid")
                .mapValues(c -> Json.write(c.deadLetter()), Named.as(name + "-dead-letter"))
                .to(PrefTopics.dlq(topic), Produced.with(KEYS, Serdes.ByteArray()).withName(name + "-dlq-out"));
        return branches.get(name + "-valid").mapValues(c -> c.tombstone() ? null : c.value(), Named.as(name + "-event"));
    }

    private static <V> Materialized<String, V, KeyValueStore<Bytes, byte[]>> materialized(String store, Serde<V> serde) {
        return Materialized.<String, V, KeyValueStore<Bytes, byte[]>>as(store).withKeySerde(KEYS).withValueSerde(serde);
    }

    /** Puts the comparison_id (the record key at this point) into a header, for preference_pairs.comparison_id. */
    static final class ComparisonIdHeader implements FixedKeyProcessor<String, Preference, Preference> {
        private FixedKeyProcessorContext<String, Preference> context;

        @Override
        public void init(FixedKeyProcessorContext<String, Preference> context) {
            this.context = context;
        }

        @Override
        public void process(FixedKeyRecord<String, Preference> record) {
            record.headers().remove(COMPARISON_ID_HEADER);
            record.headers().add(COMPARISON_ID_HEADER, record.key().getBytes(StandardCharsets.UTF_8));
            context.forward(record);
        }
    }
}
